"""The bootstrap in a fresh PowerShell process started the way a host starts
powershell.exe: what reaches the process's stdout, Constrained Language Mode, and the
script delivered on stdin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hvbpa.collect import collection_script, delivery
from hvbpa.collect.host import interpret
from hvbpa.collect.raw import RawResult
from hvbpa.lab.pwsh import run_exact
from hvbpa.lab.standin_host import comparable, describe, expected_snapshot
from hvbpa.snapshot import HostStatus, parse_snapshot
from hvbpa.snapshot.synthetic import host_snapshot
from hvbpa.targets import Target


def _matches(stdout: bytes, description: dict[str, object]) -> None:
    got = parse_snapshot(delivery.decode_answer(stdout))
    assert comparable(got) == comparable(expected_snapshot(description))


def test_stdout_is_the_answer_alone_whatever_other_streams_get(pwsh: Path, counted: Callable[[int], None]) -> None:
    # Every stand-in writes a warning, verbose, information, progress, debug and Write-Host text.
    description = describe(host_snapshot("HV-NOISY", 3, seed="noise"), faults={"noise": True})
    run = run_exact(pwsh, description, delivery.plan_delivery(collection_script()))
    assert run.exit_code == 0, run.stderr[-500:]
    text = run.stdout.decode("ascii")
    assert text.startswith(delivery.OUTPUT_MARKER) and text.endswith(delivery.END_MARKER), text[:300]
    assert text.count(delivery.OUTPUT_MARKER) == 1
    _matches(run.stdout, description)
    counted(1)


def test_noise_would_reach_stdout_without_the_bootstrap_s_guard(pwsh: Path) -> None:
    """The guard is what keeps stdout clean: the same stand-ins print on stdout when the
    script runs bare (so the test above can fail)."""
    description = describe(host_snapshot("HV-NOISY", 1, seed="noise"), faults={"noise": True})
    bare = delivery.Delivery(
        "powershell.exe",
        (*delivery.POWERSHELL_ARGS, delivery.encode_command("$null = Hyper-V\\Get-VM")),
        None,
        skip_cmd_shell=True,
    )
    run = run_exact(pwsh, description, bare)
    assert b"stand-in host text from Get-VM" in run.stdout


def test_constrained_language_mode_is_a_clear_host_status(pwsh: Path, counted: Callable[[int], None]) -> None:
    description = describe(host_snapshot("HV-CLM", 1, seed="clm"))
    run = run_exact(pwsh, description, delivery.plan_delivery(collection_script()), language_mode="ConstrainedLanguage")
    assert run.exit_code == delivery.LANGUAGE_MODE_EXIT, (run.stdout, run.stderr[-300:])
    raw = RawResult(HostStatus.SCRIPT_FAILED, "exit 3", stdout=run.stdout, stderr=run.stderr, exit_code=run.exit_code)
    outcome = interpret(Target(name="hv-clm", address="hv-clm"), raw).outcome
    assert outcome.status is HostStatus.SCRIPT_FAILED
    assert outcome.reason.startswith("PowerShell runs in Constrained Language Mode (ConstrainedLanguage)")
    assert "\n" not in outcome.reason
    counted(1)


def test_script_delivered_on_stdin(pwsh: Path, counted: Callable[[int], None]) -> None:
    plan = delivery.plan_delivery(collection_script(), limit=200)
    assert plan.stdin is not None  # too long for the (tiny) limit: sent on stdin
    description = describe(host_snapshot("HV-STDIN", 5, seed="stdin"))
    run = run_exact(pwsh, description, plan)
    assert run.exit_code == 0, run.stderr[-500:]
    _matches(run.stdout, description)
    counted(1)
