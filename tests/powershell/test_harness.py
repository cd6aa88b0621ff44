"""Finding PowerShell: $HVBPA_PWSH first, then ../shared/tools/pwsh/pwsh beside the
checkout, then pwsh on PATH; none means one clear skip, or a failure where CI requires it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hvbpa.lab import pwsh as pwsh_module
from hvbpa.lab.pwsh import locate_powershell
from tests.powershell.conftest import require_powershell


def _fake(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No checkout neighbour, an empty PATH, and a working folder with nothing beside it."""
    checkout = tmp_path / "work" / "checkout"
    checkout.mkdir(parents=True)
    monkeypatch.setattr(pwsh_module, "_checkout_root", lambda: checkout)
    monkeypatch.chdir(checkout)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    return checkout


def test_environment_variable_comes_first(nowhere: Path, tmp_path: Path) -> None:
    _fake(nowhere.parent / "shared" / "tools" / "pwsh" / "pwsh")
    chosen = _fake(tmp_path / "custom" / "pwsh")
    located = locate_powershell({"HVBPA_PWSH": str(chosen)})
    assert located.path == chosen.resolve()
    assert located.how == "$HVBPA_PWSH"


def test_a_wrong_environment_variable_is_reported_not_skipped_over(nowhere: Path, tmp_path: Path) -> None:
    _fake(nowhere.parent / "shared" / "tools" / "pwsh" / "pwsh")
    located = locate_powershell({"HVBPA_PWSH": str(tmp_path / "missing")})
    assert located.path is None
    assert "HVBPA_PWSH" in located.how


def test_beside_the_checkout_before_path(nowhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    beside = _fake(nowhere.parent / "shared" / "tools" / "pwsh" / "pwsh")
    bin_dir = tmp_path / "bin"
    _fake(bin_dir / "pwsh")
    monkeypatch.setenv("PATH", str(bin_dir))
    located = locate_powershell({})
    assert located.path == beside.resolve()


def test_pwsh_on_path_last(nowhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_path = _fake(tmp_path / "bin" / "pwsh")
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert locate_powershell({}).path == on_path


def test_none_skips_with_one_reason(nowhere: Path) -> None:
    with pytest.raises(pytest.skip.Exception, match="no PowerShell: install PowerShell 7") as skipped:
        require_powershell({})
    # Where the project keeps its own copy is no advice for a user.
    assert "shared" not in str(skipped.value) and "$HVBPA_PWSH" in str(skipped.value)


def test_none_fails_where_ci_requires_powershell(nowhere: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="HVBPA_REQUIRE_PWSH=1"):
        require_powershell({"HVBPA_REQUIRE_PWSH": "1"})
