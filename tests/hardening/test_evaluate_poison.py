"""The poison snapshots as files for `hvbpa evaluate`: exit 2, one line naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.conftest import Invoke
from tests.hardening.poison import invalid_utf8, poison_texts

POISONS = poison_texts("HV-POISON")


@pytest.mark.parametrize("label", sorted(POISONS))
def test_poison_snapshot_file_is_an_input_error(cli: Invoke, tmp_path: Path, label: str) -> None:
    text, words = POISONS[label]
    good = tmp_path / "good.json"
    good.write_text(host_snapshot_json("HV-GOOD", 2), "utf-8")
    bad = tmp_path / f"{label}.json"
    bad.write_text(text, "utf-8")
    result = cli("evaluate", str(good), str(bad), "-o", "json")
    assert result.exit_code == ExitCode.USAGE, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert str(bad) in lines[0] and words in lines[0], lines[0]


def test_invalid_utf8_is_an_input_error_not_replaced(cli: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "latin.json"
    bad.write_bytes(invalid_utf8("HV-UTF8"))
    result = cli("evaluate", str(bad))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert str(bad) in result.output and "not UTF-8" in result.output
    assert "\ufffd" not in result.output


def test_empty_vm_name_is_accepted_alike(cli: Invoke, tmp_path: Path) -> None:
    import json

    from hvbpa.snapshot.parse import snapshot_from_data
    from hvbpa.snapshot.synthetic import host_snapshot

    document = host_snapshot("HV-EMPTY", 2, mix=False)
    document["vms"][0]["name"] = ""
    fast = snapshot_from_data(document, "x")
    document["vms"][0]["generation"] = "2"  # not the fast path's shape: the checked parser runs
    with pytest.raises(Exception, match="generation"):
        snapshot_from_data(document, "x")
    document["vms"][0]["generation"] = None
    document["vms"][0]["state"] = "Running"  # an enum name: the checked parser builds this VM
    checked = snapshot_from_data(document, "x")
    assert fast.vms[0].name == checked.vms[0].name == ""
    path = tmp_path / "empty.json"
    path.write_text(json.dumps(document), "utf-8")
    assert cli("evaluate", str(path), "-o", "json").exit_code in (ExitCode.OK, ExitCode.FINDINGS)
