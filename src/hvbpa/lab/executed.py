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
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hvbpa.collect import delivery
from hvbpa.lab.fleet import HostConfig
from hvbpa.lab.powershell import ProcessResult, console_bytes
from hvbpa.lab.pwsh import PowerShellError, locate_powershell, run_exact
from hvbpa.lab.standin_host import NEVER_TESTED, describe

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


# The description's moments, as the stand-ins report them (Get-VMReplication, Measure-VMReplication,
# the certificate store); each is moved with the collection time.
MOMENTS = frozenset({"last_replication_time", "last_test_failover_time", "not_after", "not_before"})


def _parse(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def at_collection(description: Any, collected_at: object, now: datetime) -> Any:
    """The description with its moments as far before (or after) ``now`` as they were before
    the snapshot's ``collected_at``: the real script stamps the time it runs, and a canned
    answer carries its snapshot's, so both lab modes judge the same lag, expiry and drill age.
    The never-tested FILETIME zero stays as it is."""
    collected = _parse(collected_at)
    if collected is None:
        return description
    offset = now - collected

    def move(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: move(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [move(v, key) for v in value]
        moment = _parse(value) if key in MOMENTS and value != NEVER_TESTED else None
        if moment is None:
            return value
        return (moment + offset).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    return move(description)


def executed_answer(
    host: HostConfig, arguments: list[str], stdin: bytes, codepage: int, clock: Callable[[], datetime] | None = None
) -> ProcessResult:
    """What powershell.exe with ``arguments`` prints on this host, run for real."""
    path, how = _located()
    if path is None:
        return ProcessResult(b"", console_bytes(f"hvbpa lab: {how}\r\n", codepage), 1)
    plan = delivery.Delivery(
        "powershell.exe", tuple(arguments), stdin.decode("ascii", "replace") or None, skip_cmd_shell=True
    )
    snapshot_json = host.snapshot_json()
    loaded = json.loads(snapshot_json)
    collected_at = loaded.get("collected_at") if isinstance(loaded, dict) else None
    description = at_collection(json.loads(_description(snapshot_json)), collected_at, (clock or _now)())
    try:
        run = run_exact(Path(path), description, plan)
    except PowerShellError as exc:
        return ProcessResult(b"", console_bytes(f"hvbpa lab: {exc}\r\n", codepage), 1)
    return ProcessResult(run.stdout, run.stderr, run.exit_code)


def _now() -> datetime:
    return datetime.now(UTC)
