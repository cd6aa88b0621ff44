"""Korean: nothing English is left in a Korean report but names, data and product words.

The reason-code test checks each text has Korean; this one reads whole Korean tables
(every test case, the demo fleet, its failed host) for English words that slipped through.
"""

from __future__ import annotations

import re
from pathlib import Path

from hvbpa import i18n
from hvbpa.snapshot import OperationalStatus, ReplicationMode, ReplicationState, VMState, display
from tests.conftest import Invoke

CASES = Path(__file__).resolve().parents[1] / "cases"
NOW = "2026-11-25T12:00:00+00:00"
# Product and protocol names stay as they are in Korean Windows; "Network Adapter", "Get-VM ..."
# and the VM and host names are data from the hosts.
ALLOWED = {"Integration", "Services", "KVP", "Hyper-V", "Windows", "Linux", "PowerShell", "Administrators",
           "Network", "Adapter", "hv_kvp_daemon", "hyperv-daemons", "linux-cloud-tools", "WinRM", "TLS", "HTTP",
           "Get-VM", "Access", "denied", "hvbpa"}  # fmt: skip


def _english(table: str, names: set[str]) -> set[str]:
    words = set(re.findall(r"[A-Za-z][A-Za-z_-]{2,}", table))
    return {w for w in words if w not in ALLOWED and not any(w in n for n in names)}


def _names(table_en: str) -> set[str]:
    """VM and host names: the first two columns of the English table rows."""
    names: set[str] = set()
    for line in table_en.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) > 3:
            names.update(c for c in cells[1:4] if c)
    return names


def test_every_hyperv_word_has_korean() -> None:
    for enum in (VMState, ReplicationMode, ReplicationState, OperationalStatus):
        for member in enum:
            korean = i18n.hyperv_text(display(member), "ko")
            assert any("\uac00" <= ch <= "\ud7a3" for ch in korean), (enum.__name__, member.name)


def test_korean_tables_leave_no_english_behind(cli: Invoke, tmp_path: Path) -> None:
    snapshots = sorted(str(p) for p in CASES.glob("*/*.json"))
    english = tmp_path / "en.txt"
    korean = tmp_path / "ko.txt"
    cli("evaluate", *snapshots, "--now", NOW, "--show-excluded", "-o", f"table:{english}", "-q")
    cli("evaluate", *snapshots, "--now", NOW, "--show-excluded", "-o", f"table:{korean}", "-q", "--lang", "ko")
    names = _names(english.read_text("utf-8"))
    assert _english(korean.read_text("utf-8"), names) == set()

    demo = tmp_path / "demo.txt"
    cli("demo", "-q", "-o", f"table:{demo}", env={"LANG": "ko_KR.UTF-8"})
    text = demo.read_text("utf-8")
    assert "검사하지 못한 호스트" in text and "연결 불가" in text and "복제본, 꺼짐" in text
    assert _english(text, names | {"LEGACY-NT-01", "FILE-02", "HV-PRI-01", "HV-REP-01", "HV-DR-03", "HVR001"}) == set()
