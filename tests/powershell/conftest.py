"""The collection script run in real PowerShell, against the Hyper-V and CIM stand-ins.

PowerShell is found by :func:`hvbpa.lab.pwsh.locate_powershell`. Without one these tests
skip with one reason, unless ``HVBPA_REQUIRE_PWSH=1`` (set by ``.ci/run``) makes its
absence a failure. Every test reports how many PowerShell runs (one host each) it checked,
and the terminal summary states the total of those that passed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from hvbpa.collect import collection_script, delivery
from hvbpa.lab.pwsh import Job, RunResult, locate_powershell, run_many
from hvbpa.lab.standin_host import comparable, expected_snapshot
from hvbpa.snapshot import HostSnapshot, parse_snapshot

REQUIRE_VAR = "HVBPA_REQUIRE_PWSH"


def require_powershell(environ: Mapping[str, str] | None = None) -> Path:
    """The PowerShell to use, else skip (or fail where CI requires one)."""
    env = os.environ if environ is None else environ
    located = locate_powershell(env)
    if located.path is not None:
        return located.path
    if env.get(REQUIRE_VAR, "") not in ("", "0"):
        pytest.fail(f"PowerShell is required here ({REQUIRE_VAR}=1) but {located.how}", pytrace=False)
    pytest.skip(f"PowerShell harness: {located.how}")


@pytest.fixture(scope="session")
def pwsh() -> Path:
    return require_powershell()


def default_plan() -> delivery.Delivery:
    return delivery.plan_delivery(collection_script())


def run_descriptions(
    pwsh: Path, descriptions: Sequence[Mapping[str, Any]], plan: delivery.Delivery | None = None
) -> list[RunResult]:
    chosen = plan or default_plan()
    return run_many(pwsh, [Job(d, chosen) for d in descriptions])


def snapshot_of(result: RunResult) -> HostSnapshot:
    """The snapshot as the client reads it: markers, gzip, base64, then the project's parser."""
    assert result.error is None, result.error
    return parse_snapshot(delivery.decode_answer(result.stdout.encode("ascii")), source="pwsh")


def assert_matches(result: RunResult, description: Mapping[str, Any]) -> HostSnapshot:
    got = snapshot_of(result)
    assert comparable(got) == comparable(expected_snapshot(description))
    return got
