"""The new formats through the CLI: -o FORMAT:PATH writes each, exit codes unchanged."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from hvbpa.exit_codes import ExitCode
from tests.conftest import FIXED_NOW, Invoke
from tests.support import ABSENT, KOREAN


def test_sarif_junit_and_csv_files(cli: Invoke, tmp_path: Path) -> None:
    sarif, junit, table = tmp_path / "out.sarif", tmp_path / "out.xml", tmp_path / "out.csv"
    result = cli(
        "evaluate", str(ABSENT), str(KOREAN), "--now", FIXED_NOW, "--lang", "ko", "--rule", "HVX003",
        "-o", f"sarif:{sarif}", "-o", f"junit:{junit}", "-o", f"csv:{table}",
    )  # fmt: skip
    assert result.exit_code == ExitCode.FINDINGS, result.output
    run = json.loads(sarif.read_text("utf-8"))["runs"][0]
    assert run["invocations"][0]["exitCode"] == ExitCode.FINDINGS
    assert len([r for r in run["results"] if r["kind"] == "fail"]) == 2
    root = ET.fromstring(junit.read_bytes())  # noqa: S314 - our own output
    assert (root.attrib["tests"], root.attrib["failures"]) == ("4", "2")
    rows = list(csv.DictReader(io.StringIO(table.read_text("utf-8-sig"))))
    assert {r["vm_name"] for r in rows} == {"app01", "app02", "웹서버-01", "데이터베이스"}


def test_a_csv_file_starts_with_a_utf8_bom_and_stdout_does_not(cli: Invoke, tmp_path: Path) -> None:
    """Excel opening a .csv file reads it in the system's ANSI code page unless it starts with a
    BOM: Korean names came out as mojibake. A pipe reads a BOM as a character: none on stdout."""
    path = tmp_path / "out.csv"
    result = cli("evaluate", str(KOREAN), "--now", FIXED_NOW, "--lang", "ko", "-q", "-o", f"csv:{path}")
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrule_id,") and data.count(b"\xef\xbb\xbf") == 1
    assert "웹서버-01" in data.decode("utf-8-sig")
    shown = cli("evaluate", str(KOREAN), "--now", FIXED_NOW, "--lang", "ko", "-o", "csv")
    assert shown.output.startswith("rule_id,")
