"""Shared test helpers: the CLI through click's runner, the shipped JSON schemas."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from hvbpa.cli.main import main
from tests.powershell.runs import counted, pytest_runtest_logreport, pytest_terminal_summary  # noqa: F401 - hooks

# pytest-xdist's workers export COLUMNS=80 (and LINES), and a piped table takes its width from
# COLUMNS: every hvbpa a test starts would draw narrow tables under -n and wide ones without it.
# Tests that want a width set it themselves.
for _size in ("COLUMNS", "LINES"):
    os.environ.pop(_size, None)

CASES = Path(__file__).parent / "cases"
FIXED_NOW = "2026-11-25T12:00:00+00:00"


def shipped_schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(resources.files("hvbpa.schemas").joinpath(name).read_text("utf-8"))
    return loaded


def validate_report(document: object) -> None:
    jsonschema.Draft202012Validator(shipped_schema("report-v2.schema.json")).validate(document)


Invoke = Callable[..., Result]


@pytest.fixture
def cli() -> Invoke:
    """Run hvbpa in-process; the environment is pinned so LANG on the machine does not leak in."""

    def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
        runner = CliRunner()
        # COLUMNS unset: a developer's exported terminal width must not change the tables tests read.
        base: dict[str, str | None] = {
            "LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "NO_COLOR": "1", "HVBPA_PASSWORD": "", "HVBPA_LANG": "",
            "COLUMNS": None,
        }  # fmt: skip
        return runner.invoke(main, list(args), env={**base, **(env or {})}, input=input, catch_exceptions=False)

    return invoke


_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def _on_this_machine(host: object) -> bool:
    import ipaddress

    if host is None:
        return True
    name = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
    if name.lower().rstrip(".") in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.strip("[]").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _nothing_leaves_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests send nothing off this machine: in this process, a name or address that is not the
    loopback's does not resolve (as an unknown name would not), so no request can leave it and
    no query reaches the system's resolver."""
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _on_this_machine(host):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
