"""Lab hosts that run the delivered command in real PowerShell, with the Hyper-V and CIM
stand-ins playing the host's snapshot: client -> WinRM -> bootstrap -> collect.ps1 ->
answer, with nothing canned but Hyper-V itself.

Chosen per host by ``execute`` in the fleet file (``canned``, ``powershell``, ``auto``) or
for a whole fleet by ``hvbpa lab serve --powershell``. ``auto`` runs PowerShell where one
is found (see :func:`hvbpa.lab.pwsh.locate_powershell`) and answers canned otherwise;
``powershell`` without one is an error when the fleet starts. Benchmark fleets stay
canned: one PowerShell process per scan of a host costs about a second.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from hvbpa.collect import delivery
from hvbpa.lab.fleet import HostConfig
from hvbpa.lab.powershell import ProcessResult, console_bytes
from hvbpa.lab.pwsh import PowerShellError, locate_powershell, run_exact
from hvbpa.lab.standin_host import describe

EXECUTE_MODES = ("canned", "powershell", "auto")


class NoPowerShell(RuntimeError):
    """A host must run PowerShell and none was found."""


@functools.cache
def _located() -> tuple[str | None, str]:
    found = locate_powershell()
    return (str(found.path) if found.path else None, found.how)


def runs_powershell(host: HostConfig) -> bool:
    """Whether this host executes the script (raises NoPowerShell if it must and cannot)."""
    if host.execute == "canned" or host.raw_output is not None or host.output != "snapshot":
        return False
    path, how = _located()
    if path is None:
        if host.execute == "powershell":
            raise NoPowerShell(f"{host.name}: execute = 'powershell' but {how}")
        return False
    return True


@functools.lru_cache(maxsize=256)
def _description(snapshot_json: str) -> str:
    return json.dumps(describe(json.loads(snapshot_json)), ensure_ascii=False)


def executed_answer(host: HostConfig, arguments: list[str], stdin: bytes, codepage: int) -> ProcessResult:
    """What powershell.exe with ``arguments`` prints on this host, run for real."""
    path, how = _located()
    if path is None:
        return ProcessResult(b"", console_bytes(f"hvbpa lab: {how}\r\n", codepage), 1)
    plan = delivery.Delivery(
        "powershell.exe", tuple(arguments), stdin.decode("ascii", "replace") or None, skip_cmd_shell=True
    )
    try:
        run = run_exact(Path(path), json.loads(_description(host.snapshot_json())), plan)
    except PowerShellError as exc:
        return ProcessResult(b"", console_bytes(f"hvbpa lab: {exc}\r\n", codepage), 1)
    return ProcessResult(run.stdout, run.stderr, run.exit_code)
