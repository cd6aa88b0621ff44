"""Counting the PowerShell runs that passed, for the line the terminal summary prints.

The hooks are imported by tests/conftest.py: with xdist only the top conftest is loaded in
the controller, which is where reports arrive and the summary is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hvbpa.lab.pwsh import locate_powershell

RUNS_PROPERTY = "powershell_runs"


@pytest.fixture
def counted(request: pytest.FixtureRequest) -> Callable[[int], None]:
    """Call with the number of PowerShell runs the test checked; counted if the test passes."""

    def count(runs: int) -> None:
        request.node.user_properties.append((RUNS_PROPERTY, runs))

    return count


_passed_runs: list[int] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Runs in the controller with xdist too: user_properties travel with the report.
    if report.when == "call" and report.passed:
        _passed_runs.extend(int(str(v)) for k, v in report.user_properties if k == RUNS_PROPERTY)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    located = locate_powershell()
    where = located.path if located.path is not None else located.how
    terminalreporter.write_line(f"PowerShell runs passed: {sum(_passed_runs)} (PowerShell: {where})")
