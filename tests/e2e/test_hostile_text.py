"""A hostile or broken host cannot write control sequences to the admin's terminal.

Its host name, VM names, failover addresses, cluster name and fault messages carry escape
sequences (set the window title, clear the screen, C1 CSI, a bidirectional override) and rich
markup. Scanned through the CLI and the lab, every format shows them escaped: the table, CSV,
JUnit and the stderr line as ``\\x1b`` text; JSON and SARIF as JSON escapes, so that their
readers get the names exactly as the host sent them.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.cli.common import one_line
from hvbpa.exit_codes import ExitCode
from hvbpa.lab import CommandFault, HostConfig, RunningFleet
from hvbpa.report.formats import HostOrigin, ReportContext, json_text
from hvbpa.report.table import render as render_table
from hvbpa.snapshot.synthetic import host_snapshot, vm_record
from hvbpa.visible import visible
from tests.conftest import Invoke
from tests.e2e.conftest import LAB_ENV
from tests.support import make_ctx

StartFleet = Callable[..., RunningFleet]

HOST = "HV\x1b]0;owned\x07-01"
VM = "web\x1b[2J\x1b[31m\u009b31m\u202eexe.txt"
MARKUP = "[link=https://evil.example/]click[/link][bold]x"
# A fault is XML, which cannot carry C0 controls; C1 and bidirectional controls it can.
FAULT = "The service is \u009b2Jgone\u202e"
# Nothing of these may reach a terminal raw.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _hostile_snapshot() -> str:
    document = host_snapshot(HOST, 0)
    document["host"]["cluster_name"] = "CL\x1b[8m"
    document["host"]["cluster_nodes"] = [HOST, "NODE\x1b[2J-2"]
    document["vms"] = [
        vm_record(VM, "0b9f5c9e-52a4-4e5a-9d4c-111111111111", "absent", failover_ip="10.9.0.1\x1b[5m"),
        vm_record(MARKUP, "0b9f5c9e-52a4-4e5a-9d4c-222222222222", "absent", failover_ip="10.9.0.2"),
    ]
    return json.dumps(document)


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in (*_strings(key), *_strings(value))]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


@pytest.fixture
def hostile(lab_fleet: StartFleet) -> list[str]:
    running = lab_fleet(
        HostConfig("H", transport="ntlm", snapshot_text=_hostile_snapshot()),
        HostConfig("F", transport="ntlm", fault=CommandFault(2150858843, FAULT)),
    )
    return [f"127.0.0.1:{h.port}" for h in running.hosts]


@pytest.mark.parametrize("fmt", ["table", "csv", "junit", "json", "sarif"])
def test_every_format_on_stdout_shows_host_text_escaped(cli: Invoke, hostile: list[str], fmt: str) -> None:
    result = cli("scan", *hostile, "-q", "-o", fmt, env=LAB_ENV)
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    out = result.output
    assert not RAW.search(out), repr(RAW.findall(out))
    if fmt in ("json", "sarif"):
        strings = set(_strings(json.loads(out)))  # the names come back as the host sent them
        assert {VM, HOST, MARKUP} <= strings
        assert any("\u009b2Jgone\u202e" in s for s in strings)
    else:
        assert "\\x1b]0;owned\\x07" in out and "\\x9b31m\\u202eexe.txt" in out
    if fmt == "table":
        assert MARKUP in out, "rich markup from a host is shown, not obeyed"
        assert "CL\\x1b[8m" in out  # the note about the cluster's other node
        assert "\\x9b2Jgone\\u202e" in out  # the failed host's reason
    if fmt == "junit":
        ET.fromstring(out)  # noqa: S314 - our own report, still well-formed


def test_the_stderr_line_of_a_failed_run_is_escaped(cli: Invoke, hostile: list[str], tmp_path: Path) -> None:
    result = cli("scan", *hostile, "-o", f"json:{tmp_path / 'r.json'}", env=LAB_ENV)
    assert result.exit_code == ExitCode.INCOMPLETE
    (line,) = [x for x in result.output.splitlines() if x.startswith("hvbpa:")]
    assert "\\x9b2Jgone\\u202e" in line and not RAW.search(result.output)


def test_collect_says_why_a_host_failed_escaped(cli: Invoke, hostile: list[str], tmp_path: Path) -> None:
    result = cli("collect", hostile[1], "-o", str(tmp_path / "s.json"), env=LAB_ENV)
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "\\x9b2Jgone\\u202e" in result.output and not RAW.search(result.output)


def test_markup_and_controls_stay_text_on_a_colour_terminal(tmp_path: Path) -> None:
    """With colour on, rich writes its own sequences; none may come from a name."""
    snapshot = tmp_path / "hostile.json"
    snapshot.write_text(_hostile_snapshot(), "utf-8")
    ctx = make_ctx(snapshot)
    coloured: ReportContext = ReportContext(**{**ctx.__dict__, "color": True, "width": 200})
    out = render_table(coloured)
    assert "\x1b]8;" not in out, "no hyperlink made from a VM name"
    assert "\x1b]0;" not in out and "\x1b[2J" not in out and "\u202e" not in out
    assert MARKUP in re.sub("\x1b\\[[0-9;]*m", "", out)


@given(st.text(max_size=40))
def test_visible_leaves_nothing_that_drives_a_terminal(text: str) -> None:
    shown = visible(text)
    assert not RAW.search(shown) and "\n" not in shown
    assert one_line(text) == shown, "the CLI's one-line messages escape the same characters"
    assert shown == text or "\\" in shown
    loaded = json.loads(json_text({"name": text, "origin": HostOrigin(text).path}))
    assert loaded == {"name": text, "origin": text}
    assert not RAW.search(json_text([text]))
