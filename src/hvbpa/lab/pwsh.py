"""Real PowerShell for running the collection script off Windows: where to find it, and
how to run hvbpa deliveries in it against stand-ins of the Hyper-V module and CIM.

Found in this order: ``$HVBPA_PWSH``; ``../shared/tools/pwsh/pwsh`` beside the checkout
(the project's bundled PowerShell 7); ``pwsh`` on PATH. Two ways to run:

* :func:`run_exact`: one fresh ``pwsh`` process per host, started the way the client
  starts powershell.exe (its arguments, its stdin), with the stand-ins' prelude prepended
  to the bootstrap. Stdout, stderr and the exit code are the process's own.
* :func:`run_many`: many hosts in turn in ONE process (PowerShell starts in about half a
  second; a suite of a hundred hosts would spend a minute just starting), each delivery
  decoded from its ``-EncodedCommand`` text and run as a script block, as powershell.exe
  does, with the host-side call counts of each run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from hvbpa.collect import delivery

ENV_VAR = "HVBPA_PWSH"
# Where the project keeps its PowerShell, relative to the folder that holds the checkout.
BESIDE_CHECKOUT = Path("shared") / "tools" / "pwsh" / "pwsh"
PWSH_ARGS = ("-NoLogo", "-NoProfile", "-NonInteractive")


class PowerShellError(RuntimeError):
    """PowerShell could not be started or the runner failed; one line."""


@dataclass(frozen=True)
class Located:
    path: Path | None
    how: str  # where it was found, or why none was


def _checkout_root() -> Path:
    # src/hvbpa/lab/pwsh.py -> the checkout (an editable install or a source tree).
    return Path(__file__).resolve().parents[3]


def _runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def locate_powershell(env: Mapping[str, str] | None = None) -> Located:
    environ = os.environ if env is None else env
    named = environ.get(ENV_VAR, "").strip()
    if named:
        path = Path(named)
        if _runnable(path):
            return Located(path.resolve(), f"${ENV_VAR}")
        found = shutil.which(named)
        if found:
            return Located(Path(found), f"${ENV_VAR}")
        return Located(None, f"${ENV_VAR} is set to {named!r}, which is not an executable PowerShell")
    for base in (_checkout_root(), Path.cwd()):
        candidate = base.parent / BESIDE_CHECKOUT
        if _runnable(candidate):
            return Located(candidate.resolve(), f"../{BESIDE_CHECKOUT.as_posix()}")
    on_path = shutil.which("pwsh")
    if on_path:
        return Located(Path(on_path), "pwsh on PATH")
    # The place beside a development checkout is this project's own arrangement: a user is
    # told only what works anywhere (PowerShell 7 from Microsoft, named or on PATH).
    return Located(None, f"no PowerShell: install PowerShell 7 (pwsh) and put it on PATH, or set ${ENV_VAR} to it")


def standin_root() -> Path:
    return Path(str(resources.files("hvbpa.lab").joinpath("standin")))


@dataclass(frozen=True)
class Job:
    """One host: its stand-in description and the delivery the client would send it."""

    description: Mapping[str, Any]
    plan: delivery.Delivery


@dataclass(frozen=True)
class RunResult:
    stdout: str
    error: str | None
    calls: Mapping[str, int] = field(default_factory=dict)
    seconds: float = 0.0  # the whole delivery: bootstrap, script, stand-ins
    standin_seconds: float = 0.0  # of which the stand-ins answering

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def _encoded_command(plan: delivery.Delivery) -> str:
    # What follows -EncodedCommand: the client's arguments end with it.
    return plan.arguments[-1]


def run_many(pwsh: Path, jobs: Sequence[Job], *, timeout: float = 600.0) -> list[RunResult]:
    """Run every job in turn in one PowerShell process."""
    if not jobs:
        return []
    with tempfile.TemporaryDirectory(prefix="hvbpa-pwsh-") as folder:
        jobs_file = Path(folder) / "jobs.json"
        results_file = Path(folder) / "results.json"
        payload = [
            {"description": job.description, "encoded_command": _encoded_command(job.plan), "stdin": job.plan.stdin}
            for job in jobs
        ]
        jobs_file.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        runner = standin_root() / "runner.ps1"
        command = [str(pwsh), *PWSH_ARGS, "-File", str(runner), "-Jobs", str(jobs_file), "-Results", str(results_file)]
        done = _run(command, None, timeout, env=None)
        if done.returncode != 0 or not results_file.is_file():
            detail = " ".join(done.stderr.decode("utf-8", "replace").split())[:300] or f"exit code {done.returncode}"
            raise PowerShellError(f"the stand-in runner failed: {detail}")
        loaded = json.loads(results_file.read_text(encoding="utf-8-sig"))
    if isinstance(loaded, dict):
        loaded = [loaded]  # a single result: ConvertTo-Json of a one-element array in some versions
    return [
        RunResult(
            stdout=str(item.get("stdout") or ""),
            error=item.get("error"),
            calls={str(k): int(v) for k, v in (item.get("calls") or {}).items()},
            seconds=float(item.get("seconds") or 0.0),
            standin_seconds=float(item.get("standin_seconds") or 0.0),
        )
        for item in loaded
    ]


@dataclass(frozen=True)
class ProcessRun:
    stdout: bytes
    stderr: bytes
    exit_code: int
    seconds: float


def prelude_command(bootstrap: str) -> str:
    """The bootstrap with the stand-ins' prelude in front, as one -EncodedCommand script."""
    prelude = (standin_root() / "prelude.ps1").as_posix().replace("'", "''")
    return f". '{prelude}'\n{bootstrap}"


def run_exact(
    pwsh: Path,
    description: Mapping[str, Any],
    plan: delivery.Delivery,
    *,
    language_mode: str | None = None,
    timeout: float = 120.0,
) -> ProcessRun:
    """One fresh PowerShell process for one host, started like powershell.exe on a host."""
    bootstrap = delivery.decode_command(_encoded_command(plan))
    with tempfile.TemporaryDirectory(prefix="hvbpa-pwsh-") as folder:
        described = Path(folder) / "host.json"
        described.write_text(json.dumps(description, ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, "HVBPA_STANDIN_HOST": str(described)}
        env.pop("HVBPA_STANDIN_LANGUAGE_MODE", None)
        if language_mode:
            env["HVBPA_STANDIN_LANGUAGE_MODE"] = language_mode
        arguments = [a for a in plan.arguments[:-1] if a.lower() != "-encodedcommand"]
        command = [str(pwsh), *arguments, "-EncodedCommand", delivery.encode_command(prelude_command(bootstrap))]
        started = time.monotonic()
        stdin = None if plan.stdin is None else plan.stdin.encode("ascii")
        done = _run(command, stdin, timeout, env=env)
    return ProcessRun(done.stdout, done.stderr, done.returncode, time.monotonic() - started)


def _run(
    command: list[str], stdin: bytes | None, timeout: float, *, env: Mapping[str, str] | None
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            command,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=timeout,
            env=None if env is None else dict(env),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PowerShellError(f"PowerShell did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise PowerShellError(f"PowerShell could not start: {exc.strerror or exc}") from None
