"""CSV: a header, one row per judged VM and per host-level problem, no live formulas."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from hvbpa.i18n import reason_text
from hvbpa.report.csv_report import COLUMNS, render, safe_cell
from tests.support import ABSENT, DOWN, KOREAN, NO_MODULE, make_ctx


def rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def test_rows_per_vm_and_per_host_problem() -> None:
    found = rows(render(make_ctx(ABSENT, KOREAN, DOWN)))
    assert [(r["host"], r["vm_name"], r["status"]) for r in found] == [
        ("HV01", "app01", "noncompliant"),
        ("HV01", "app02", "compliant"),
        ("하이퍼V-서울", "웹서버-01", "compliant"),
        ("하이퍼V-서울", "데이터베이스", "noncompliant"),
        ("hv-down.contoso.test", "", "unreachable"),
    ]
    app01 = found[0]
    assert app01["rule_id"] == "HVX003"
    assert app01["severity"] == "error"
    assert app01["reason_code"] == "kvp-no-contact"
    assert app01["failover_addresses"] == "192.0.2.50 (Network Adapter)"
    assert app01["excluded_by"] == ""
    assert found[4]["reason"] == "the host could not be scanned (unreachable: connection refused)"
    # A host that could not be scanned is a row about the host: filtering on scope keeps it.
    assert (found[4]["scope"], found[4]["target"]) == ("host", "hv-down.contoso.test")


def test_host_level_undetermined_row() -> None:
    (row,) = rows(render(make_ctx(NO_MODULE)))
    assert (row["rule_id"], row["status"], row["reason_code"]) == ("HVX003", "undetermined", "no-hyperv-module")
    assert row["scope"] == "host", "a row about the host says so, as a host verdict's row does"


def test_excluded_by_and_korean() -> None:
    ctx = make_ctx(KOREAN, lang="ko")
    results = tuple(replace(r, excluded_by="x.toml:1: 예외") for r in ctx.run.results)
    found = rows(render(replace(ctx, run=replace(ctx.run, results=results))))
    assert found[1]["reason"] == reason_text(ctx.run.results[0].vms[1].reason, "ko")
    assert "실행 중이지만" in found[1]["reason"]
    assert found[1]["excluded_by"] == "x.toml:1: 예외"


def test_formula_cells_are_defused() -> None:
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for start in "=+-@":
        assert safe_cell(start + "1") == "'" + start + "1"
    assert safe_cell("web01") == "web01"
    ctx = make_ctx(ABSENT)
    name = "=cmd|' /C calc'!A0"
    evil = tuple(replace(r, vms=tuple(replace(v, vm_name=name) for v in r.vms)) for r in ctx.run.results)
    found = rows(render(replace(ctx, run=replace(ctx.run, results=evil))))
    assert found[0]["vm_name"] == "'=cmd|' /C calc'!A0"
