"""Any command line for the offline commands: exit in {0, 1, 2, 3}, never a traceback, errors on one line.

scan and collect get arguments that stop before any connection (basic over http without
--allow-unencrypted), so the fuzzing never reaches the network.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvbpa.cli.main import main
from tests.conftest import CASES
from tests.hardening.mutate import NASTY

EXAMPLES = int(os.environ.get("HVBPA_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SNAPSHOT = str(CASES / "single-vm-installed-enum-names" / "hv01.json")
ENV = {
    "LANG": "C.UTF-8",
    "LC_ALL": "",
    "LC_MESSAGES": "",
    "NO_COLOR": "1",
    "HVBPA_PASSWORD": "p",
    "HVBPA_USERNAME": "u",
}

COMMANDS: tuple[list[str], ...] = (
    ["evaluate", SNAPSHOT], ["rules", "list"], ["rules", "show"], ["schema"], ["report", "merge"],
    ["baseline", "create"], ["scan", "hv01", "--transport", "basic", "--scheme", "http"],
    ["collect", "hv01", "--transport", "basic", "--scheme", "http"], [],
)  # fmt: skip
OPTIONS = (
    "-o", "--output", "--rules-dir", "--rule", "--skip-rule", "--grace-period", "--fail-on", "--exit-zero", "--lang",
    "--show-excluded", "--json-snapshots", "--no-json-snapshots", "--exclusions", "--baseline", "--now", "-q",
    "--timeout", "--connect-timeout", "--operation-timeout", "--retries", "--port", "-j", "--processes", "--limit",
    "-i", "--hosts-file", "--ca-trust-path", "--cert-pem", "--raw", "-h", "--help", "-V", "--version", "--",
)  # fmt: skip


def _argv_can_hold(value: str) -> bool:
    """What a real command line can carry: no NUL, and only the surrogates Python decodes bad bytes to."""
    try:
        value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


PLAIN = (
    SNAPSHOT, "json", "table", "json:-", "sarif:/dev/null", "csv:", ":", "json:/proc/x", "/", ".", "ko", "HVR001",
    "10s", "0", "2026-13-45", "2026-11-25T12:00:00+00:00", "\udcff", "-1", "99999999999999999999",
)  # fmt: skip
VALUES = st.sampled_from([v for v in NASTY if _argv_can_hold(v)]) | st.sampled_from(PLAIN)


@FUZZ
@given(
    command=st.sampled_from(COMMANDS),
    extra=st.lists(st.one_of(st.sampled_from(OPTIONS), VALUES), max_size=6),
)
def test_any_command_line(command: list[str], extra: list[str]) -> None:
    with tempfile.TemporaryDirectory() as name:
        before = Path.cwd()
        os.chdir(name)  # relative -o paths land here
        try:
            result = CliRunner().invoke(main, [*command, *extra], env=ENV, catch_exceptions=False)
        finally:
            os.chdir(before)
    assert result.exit_code in (0, 1, 2, 3), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2 and "Usage:" not in result.output:  # `hvbpa rules` alone prints its help
        assert len(result.output.strip().splitlines()) == 1, result.output
