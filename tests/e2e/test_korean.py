"""Korean: nothing English is left in a Korean report but names, data and product words.

The reason-code test checks each text has Korean; this one reads whole Korean tables
(every test case, the demo fleet, its failed host) for English words that slipped through.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

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
# The Hyper-V Replica pack: cmdlets and properties as PowerShell names them, the cluster resource
# type's own (unlocalized) name, protocols, the certificate store, its rule ids, and "$true" in examples.
ALLOWED |= {"Get-VMReplication", "Set-VMReplication", "Set-VMReplicationServer", "Resume-VMReplication",
            "Measure-VMReplication", "Complete-VMFailover", "New-VMReplicationAuthorizationEntry", "Hyper-V-VMMS",
            "Msvm_VssComponent", "ReplicationEnabled", "AuthenticationType", "CompressionEnabled",
            "ReplicationFrequencySec", "VSSSnapshotFrequencyHour", "AutoResynchronizeEnabled",
            "AutoResynchronizeIntervalStart", "AutoResynchronizeIntervalEnd", "CertificateThumbprint", "NotAfter",
            "HasPrivateKey", "ReplicationAllowedFromAnyServer", "AllowedAuthenticationType", "Virtual", "Machine",
            "Replication", "Broker", "Kerberos", "HTTPS", "IPsec", "WAN", "BPA", "VSS", "LocalMachine", "Cert",
            "HVR", "HVX", "true"}  # fmt: skip
# The BPA-parity rules (issue 17): more cmdlets, their parameters and properties, file formats and
# protocol names as Windows writes them, an example domain, and "--business-hours", an option's name.
ALLOWED |= {"Add-ClusterResource", "Add-ClusterServerRole", "AsTest", "Convert-VHD", "Enable-VMIntegrationService",
            "Key-Value", "Pair", "Exchange", "Name", "FQDN", "IPDstPortStartMatchCondition",
            "IPDstPortEndMatchCondition",
            "New-NetQosPolicy", "QoS", "RecoveryServerEnabled", "ReplicatedDisks", "ResourceType", "TrustGroup",
            "Set-VMNetworkAdapterFailoverConfiguration", "Set-VMReplicationAuthorizationEntry", "Start-VMFailover",
            "Stop-VMFailover", "TCP", "ThrottleRateActionBitsPerSecond", "VHD", "VHDX", "business-hours", "com",
            "contoso", "false", "pfx", "Suspended", "ExcludedDisks", "LastTestFailoverTime", "RecoveryHistory",
            "ReplicaServerPort", "DnsNameList", "EnhancedKeyUsageList", "X509Chain"}  # fmt: skip


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


def _data(report: dict[str, Any]) -> set[str]:
    """Every name and reason parameter of a JSON report: host names and FQDNs (a host is shown
    by both), VM names, servers, messages."""
    found: set[str] = {str(host[key]) for host in report["hosts"] for key in ("name", "fqdn") if host.get(key)}
    for result in report["results"]:
        found.add(result["host"])
        reasons = [result["reason"], (result.get("verdict") or {}).get("reason")]
        for vm in result["vms"]:
            found.add(vm["name"])
            reasons.append(vm["reason"])
        for reason in reasons:
            if reason:
                found.update(str(v) for v in reason["params"].values())
    return found


def test_korean_tables_leave_no_english_behind(cli: Invoke, tmp_path: Path) -> None:
    snapshots = sorted(str(p) for p in CASES.glob("*/*.json"))
    english = tmp_path / "en.txt"
    korean = tmp_path / "ko.txt"
    data = tmp_path / "en.json"
    cli("evaluate", *snapshots, "--now", NOW, "--show-excluded", "-o", f"table:{english}", "-o", f"json:{data}", "-q")
    cli("evaluate", *snapshots, "--now", NOW, "--show-excluded", "-o", f"table:{korean}", "-q", "--lang", "ko")
    # Names from the table's columns, and (where a section is listed rather than tabled) from the data.
    names = _names(english.read_text("utf-8")) | _data(json.loads(data.read_text("utf-8")))
    assert _english(korean.read_text("utf-8"), names) == set()

    demo = tmp_path / "demo.txt"
    demo_data = tmp_path / "demo.json"
    cli("demo", "-q", "-o", f"table:{demo}", "-o", f"json:{demo_data}", env={"LANG": "ko_KR.UTF-8"})
    text = demo.read_text("utf-8")
    names |= _data(json.loads(demo_data.read_text("utf-8")))
    assert "검사하지 못한 호스트" in text and "연결 불가" in text and "복제본, 꺼짐" in text
    assert (
        _english(text, names | {"LEGACY-NT-01", "FILE-02", "HV-PRI-01", "HV-REP-01", "HV-DR-02", "HV-DR-03", "HVR001"})
        == set()
    )
