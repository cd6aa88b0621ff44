"""JUnit XML: one suite per host, counts that add up, escaping, Korean text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from hvbpa.evaluate.results import Run
from hvbpa.i18n import reason_text
from hvbpa.report.junit import render
from hvbpa.snapshot.outcome import HostOutcome, HostStatus
from tests.conftest import CASES
from tests.support import ABSENT, DOWN, KOREAN, NO_MODULE, make_ctx, with_results

STATES = CASES / "states-not-running" / "hv01.json"
COUNTED = ("tests", "failures", "errors", "skipped")


def parse(xml: str) -> ET.Element:
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(xml.encode("utf-8"))  # noqa: S314 - the document is our own output


def counts(element: ET.Element) -> dict[str, int]:
    return {key: int(element.attrib[key]) for key in COUNTED}


def counted(suite: ET.Element) -> dict[str, int]:
    cases = suite.findall("testcase")
    return {
        "tests": len(cases),
        "failures": sum(len(c.findall("failure")) for c in cases),
        "errors": sum(len(c.findall("error")) for c in cases),
        "skipped": sum(len(c.findall("skipped")) for c in cases),
    }


def test_suites_per_host_and_counts_add_up() -> None:
    root = parse(render(make_ctx(KOREAN, NO_MODULE, DOWN)))
    suites = root.findall("testsuite")
    assert [s.attrib["name"] for s in suites] == ["하이퍼V-서울", "HV01", "hv-down.contoso.test"]
    for suite in suites:
        assert counts(suite) == counted(suite)
        assert float(suite.attrib["time"]) >= 0
        assert suite.attrib["timestamp"] == "2026-11-25T12:00:00"
    total = {key: sum(counts(s)[key] for s in suites) for key in COUNTED}
    assert counts(root) == total == {"tests": 4, "failures": 1, "errors": 2, "skipped": 0}


def test_failure_names_rule_vm_reason_and_severity() -> None:
    ctx = make_ctx(ABSENT)
    root = parse(render(ctx))
    cases = {c.attrib["name"]: c for c in root.iter("testcase")}
    assert set(cases) == {"app01", "app02"}
    assert cases["app02"].find("failure") is None
    failure = cases["app01"].find("failure")
    assert failure is not None
    assert cases["app01"].attrib["classname"] == "HVX003"
    assert failure.attrib["type"] == "error"
    assert failure.attrib["message"].startswith(reason_text(ctx.run.results[0].vms[0].reason) + "; ")
    assert failure.attrib["message"].startswith("running for ")
    assert "192.0.2.50" in failure.attrib["message"]
    assert failure.text is not None and "44ab73ce-3959-5d30-a813-0f00e3d0eb9d" in failure.text


def test_undetermined_vms_and_excluded_findings_are_skipped() -> None:
    ctx = make_ctx(STATES, ABSENT)
    label = "exclusions.toml:3: decommissioned next week"
    results = tuple(replace(r, excluded_by=label) if r.affected else r for r in ctx.run.results)
    root = parse(render(with_results(ctx, replace(ctx.run, results=results))))
    skipped = [c.find("skipped") for c in root.iter("testcase")]
    messages = [s.attrib["message"] for s in skipped if s is not None]
    assert len(messages) == 4
    assert f"Excluded: {label}" in messages
    assert sum(m.startswith("Could not determine: the VM is Saved") for m in messages) == 1
    assert counts(root)["failures"] == 0


def test_failed_host_is_one_error_not_one_per_rule() -> None:
    root = parse(render(make_ctx(DOWN)))
    (case,) = root.iter("testcase")
    error = case.find("error")
    assert error is not None
    assert error.attrib["type"] == "unreachable"
    assert "connection refused" in error.attrib["message"]


def test_hostile_text_is_escaped_and_control_characters_dropped() -> None:
    nasty = 'evil"<host>&\x00\x1b]'
    down = HostOutcome(target="hv9", status=HostStatus.WINRM_FAULT, reason=nasty)
    root = parse(render(make_ctx(down)))
    error = next(root.iter("error"))
    assert 'evil"<host>&' in error.attrib["message"]
    assert "\x00" not in error.attrib["message"]


def test_korean_texts_and_notes() -> None:
    ctx = replace(make_ctx(KOREAN, lang="ko"), notes=("exclusions.toml:3: expired",))
    root = parse(render(ctx))
    failure = next(root.iter("failure"))
    # The reason, then the failover addresses that will not apply.
    assert failure.attrib["message"].startswith(reason_text(ctx.run.results[0].vms[1].reason, "ko"))
    assert "192.0.2.69" in failure.attrib["message"]
    assert "실행 중이지만" in failure.attrib["message"]
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.findtext("system-out") == "exclusions.toml:3: expired"


def test_an_empty_run_is_still_a_document() -> None:
    ctx = make_ctx(KOREAN)
    root = parse(render(with_results(ctx, Run(started="", finished="", hosts=(), results=()))))
    assert counts(root) == {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
