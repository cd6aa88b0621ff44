"""A label names one host: reports, baselines and `report merge` know hosts by it.

Two hosts labelled alike were both scanned, and a merge of that report kept one and dropped
the other's findings with exit 0. Now such targets are refused before any host is contacted,
a report that has them cannot be merged, and `evaluate` gives same-named hosts labels of their own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hvbpa.exit_codes import ExitCode
from tests.conftest import CASES, Invoke, validate_report

ABSENT = CASES / "absent-with-failover-ip" / "hv01.json"


def _one_error_line(output: str) -> str:
    (line,) = output.strip().splitlines()
    assert line.startswith("hvbpa: error: "), line
    return line


@pytest.mark.parametrize(
    ("hosts", "inventory", "expected"),
    [
        ("http://127.0.0.1:1/wsman name=DUP\nhttp://127.0.0.1:2/wsman name=DUP\n", None,
         "hosts.txt:2: 'DUP' already names the host at {dir}/hosts.txt:1"),
        ("http://127.0.0.1:1/wsman name=hv01\n127.0.0.1:2 name=HV01  # case does not tell hosts apart\n", None,
         "hosts.txt:2: 'HV01' already names the host at {dir}/hosts.txt:1"),
        ("http://127.0.0.1:1/wsman name=HV01\n", "[g]\nHV01 ansible_host=127.0.0.1 ansible_port=2\n",
         "inv.ini: host HV01: 'HV01' already names the host at {dir}/hosts.txt:1"),
    ],
)  # fmt: skip
def test_two_hosts_with_one_label_are_refused_before_any_is_contacted(
    cli: Invoke, tmp_path: Path, hosts: str, inventory: str | None, expected: str
) -> None:
    (tmp_path / "hosts.txt").write_text(hosts, "utf-8")
    args = ["scan", "--hosts-file", str(tmp_path / "hosts.txt"), "-u", "labadmin"]
    if inventory:
        (tmp_path / "inv.ini").write_text(inventory, "utf-8")
        args += ["-i", str(tmp_path / "inv.ini")]
    result = cli(*args, env={"HVBPA_PASSWORD": "x"})
    assert result.exit_code == ExitCode.USAGE
    assert expected.format(dir=tmp_path) in _one_error_line(result.output)


def test_the_same_host_named_twice_is_still_scanned_once(cli: Invoke, tmp_path: Path) -> None:
    """Duplicate endpoints are dropped before labels are compared (a host in two groups, say)."""
    (tmp_path / "inv.ini").write_text("[a]\nHV01 ansible_host=127.0.0.1 ansible_port=1\n[b]\nHV01\n", "utf-8")
    result = cli("scan", "-i", str(tmp_path / "inv.ini"), "-u", "u", "--connect-timeout", "1s", "-q",
                 "-o", f"json:{tmp_path / 'r.json'}", env={"HVBPA_PASSWORD": "x"})  # fmt: skip
    assert result.exit_code == ExitCode.INCOMPLETE  # nothing listens on port 1
    assert [h["target"] for h in json.loads((tmp_path / "r.json").read_text("utf-8"))["hosts"]] == ["HV01"]


def _report(cli: Invoke, tmp_path: Path, name: str, *snapshots: Path) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    done = cli("evaluate", *map(str, snapshots), "-q", "-o", f"json:{out}")
    assert done.exit_code in (ExitCode.OK, ExitCode.FINDINGS), done.output
    loaded: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return loaded


def _hv01(tmp_path: Path, domain: str) -> Path:
    snapshot = json.loads(ABSENT.read_text("utf-8-sig"))
    snapshot["host"]["fqdn"] = f"hv01.{domain}"
    for vm in snapshot["vms"]:
        vm["id"] = vm["id"][:-2] + ("c0" if domain.startswith("c") else "f0")  # VMs of their own
    path = tmp_path / f"hv01-{domain}.json"
    path.write_text(json.dumps(snapshot), "utf-8")
    return path


def test_evaluate_gives_same_named_hosts_labels_of_their_own_and_merge_keeps_both(cli: Invoke, tmp_path: Path) -> None:
    contoso, fabrikam = _hv01(tmp_path, "contoso.test"), _hv01(tmp_path, "fabrikam.test")
    report = _report(cli, tmp_path, "both", contoso, fabrikam)
    validate_report(report)
    assert [(h["target"], h["name"]) for h in report["hosts"]] == [("HV01", "HV01"), ("hv01.fabrikam.test", "HV01")]
    merged = tmp_path / "merged.json"
    result = cli("report", "merge", str(tmp_path / "both.json"), "-q", "-o", f"json:{merged}")
    assert result.exit_code == ExitCode.FINDINGS
    again = json.loads(merged.read_text("utf-8"))
    assert again["summary"]["vms_noncompliant"] == report["summary"]["vms_noncompliant"] > 0
    assert len(again["hosts"]) == 2


def test_merge_refuses_a_report_with_two_hosts_of_one_label(cli: Invoke, tmp_path: Path) -> None:
    """As an hvbpa that accepted duplicate name= labels wrote it: merging would drop one host."""
    report = _report(cli, tmp_path, "both", _hv01(tmp_path, "contoso.test"), _hv01(tmp_path, "fabrikam.test"))
    for host in report["hosts"]:
        host["target"] = "DUP"
    for result in report["results"]:
        result["target"] = "DUP"
    (tmp_path / "old.json").write_text(json.dumps(report), "utf-8")
    result = cli("report", "merge", str(tmp_path / "old.json"), "-q", "-o", f"json:{tmp_path / 'm.json'}")
    assert result.exit_code == ExitCode.USAGE
    line = _one_error_line(result.output)
    assert "two hosts are named 'DUP'" in line and "old.json" in line
    assert not (tmp_path / "m.json").exists()


def test_merge_refuses_one_label_for_two_hosts_across_reports(cli: Invoke, tmp_path: Path) -> None:
    _report(cli, tmp_path, "a", _hv01(tmp_path, "contoso.test"))
    _report(cli, tmp_path, "b", _hv01(tmp_path, "fabrikam.test"))
    result = cli("report", "merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "-q", "-o", "json")
    assert result.exit_code == ExitCode.USAGE
    line = _one_error_line(result.output)
    assert "both name a host 'HV01', but they are two hosts (hv01.contoso.test, hv01.fabrikam.test)" in line


def test_merge_keeps_the_newer_scan_of_one_host(cli: Invoke, tmp_path: Path) -> None:
    _report(cli, tmp_path, "a", ABSENT)
    _report(cli, tmp_path, "b", ABSENT)
    out = tmp_path / "m.json"
    result = cli("report", "merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "-q", "-o", f"json:{out}")
    assert result.exit_code == ExitCode.FINDINGS
    assert [h["target"] for h in json.loads(out.read_text("utf-8"))["hosts"]] == ["HV01"]
