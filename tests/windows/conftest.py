"""hvbpa on Microsoft's CPython for Windows, run by Wine, against lab hosts served by this process.

``.ci/windows-python`` puts the embeddable CPython 3.13 (win_amd64) with hvbpa's Windows wheels
and a Wine prefix in the checkout's ``.cache/windows/``; these tests run ``python.exe -m hvbpa``
there as a subprocess. Where Wine or that Python is missing they skip with one reason, unless
``HVBPA_REQUIRE_WINDOWS=1`` (set by ``.ci/run``) makes that a failure.

On Windows itself (the ``windows-latest`` job in ``examples/ci/github-actions.yml``) the same
tests run ``python -m hvbpa`` with the Python running pytest, no Wine.

Under Wine this proves the code on Windows' CPython (its C runtime, its ``os``, ``subprocess``,
``multiprocessing``, ``ssl``, ``ctypes`` into kernel32 and advapi32, the ANSI code page) but not Windows itself:
Wine stands in for the kernel, the console and the security packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

import pytest

from tests.e2e.conftest import lab_fleet  # noqa: F401 - the same fixture: lab hosts served by this (Linux) process

REQUIRE_VAR = "HVBPA_REQUIRE_WINDOWS"
NATIVE = sys.platform == "win32"
CHECKOUT = Path(__file__).resolve().parents[2]
CACHE = CHECKOUT / ".cache" / "windows"
PYTHON = CACHE / "python" / "python.exe"
PREFIX = CACHE / "prefix"
# Wine's first start in a new prefix, and the imports of a cold Python, take seconds on this machine.
RUN_TIMEOUT = 120


def find_wine(environ: Mapping[str, str]) -> str | None:
    if environ.get("HVBPA_WINE"):
        return shutil.which(environ["HVBPA_WINE"])
    for name in ("wine64", "wine"):
        found = shutil.which(name)
        if found:
            return found
    # Debian's wine64 without the recommended wine package has only the loader here.
    return "/usr/lib/wine/wine64" if Path("/usr/lib/wine/wine64").exists() else None


def windows_missing(environ: Mapping[str, str]) -> str | None:
    """Why this machine cannot run the Windows lane, or None."""
    if NATIVE:
        return None
    if find_wine(environ) is None:
        return "no Wine (Debian: apt-get install wine64, as .ci/wine-packages does)"
    if not PYTHON.exists():
        return f"no Windows Python in {CACHE} (run .ci/windows-python)"
    path_file = CACHE / "python" / "python313._pth"
    if not path_file.exists() or windows_path(CHECKOUT / "src").lower() not in path_file.read_text("utf-8").lower():
        return f"the Windows Python in {CACHE} does not run this checkout's hvbpa (run .ci/windows-python)"
    return None


def windows_path(path: Path) -> str:
    """The name a Windows program gives ``path``; under Wine, drive Z: is the Unix root in a new prefix."""
    if NATIVE:
        return str(path)
    return "Z:" + str(path).replace("/", "\\")


@dataclass(frozen=True)
class WindowsPython:
    """Windows' CPython: under Wine (``wine`` and ``prefix`` set), or the one running the tests."""

    python: str
    wine: str | None = None
    prefix: Path | None = None

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        # No LANG: Windows sets none, so hvbpa takes the language from Windows (Wine: English).
        if self.wine is None:
            keep = {k: v for k, v in os.environ.items() if not k.upper().startswith(("LANG", "LC_", "HVBPA_"))}
            return {**keep, **(extra or {})}
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "USER", "TMPDIR")}
        return {**keep, "WINEPREFIX": str(self.prefix), "WINEDEBUG": "-all", **(extra or {})}

    def command(self, *args: str) -> list[str]:
        return [*([self.wine] if self.wine else []), self.python, *args]

    def cmd(self, script: PureWindowsPath) -> list[str]:
        """cmd.exe running a batch file."""
        return [*([self.wine] if self.wine else []), "cmd", "/c", str(script)]

    @property
    def python_name(self) -> str:
        """python.exe as a Windows program names it."""
        return self.python if self.wine is None else windows_path(Path(self.python))

    def hvbpa(self, *args: str) -> list[str]:
        return self.command("-m", "hvbpa", *args)

    def run(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = RUN_TIMEOUT,
    ) -> subprocess.CompletedProcess[bytes]:
        # Output is always a pipe: Wine hands a Unix file as stdout to a Windows program as a
        # handle CPython cannot start with (WinError 6). A file is tested through cmd's redirection.
        return subprocess.run(
            list(command),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=self.env(env),
            cwd=cwd,
            timeout=timeout,
            check=False,
        )


def skip_module_without_windows() -> None:
    """One skip line for the whole module where the lane cannot run (and nothing is required)."""
    why = windows_missing(os.environ)
    if why is not None and os.environ.get(REQUIRE_VAR, "") in ("", "0"):
        pytest.skip(f"Windows lane: {why}", allow_module_level=True)


@pytest.fixture(scope="session")
def windows() -> WindowsPython:
    if NATIVE:
        return WindowsPython(python=sys.executable)
    why = windows_missing(os.environ)
    if why is not None:
        if os.environ.get(REQUIRE_VAR, "") not in ("", "0"):
            pytest.fail(f"the Windows lane is required here ({REQUIRE_VAR}=1) but there is {why}", pytrace=False)
        pytest.skip(f"Windows lane: {why}")
    wine = find_wine(os.environ)
    assert wine is not None
    return WindowsPython(python=str(PYTHON), wine=wine, prefix=PREFIX)


@pytest.fixture
def profile_folder(
    windows: WindowsPython, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Path, PureWindowsPath]]:
    """A folder of this test's own in a Windows profile whose name has a space, ``C:\\Users\\Some
    One\\...``, by its Unix and its Windows name; removed after the test. On Windows itself: a
    folder named so in the test's temporary folder (the runner's profile has no space)."""
    if windows.prefix is None:
        native = tmp_path / "Some One" / "hvbpa tests"
        native.mkdir(parents=True)
        yield native, PureWindowsPath(native)
        return
    # The prefix's folder is "users": Windows names are case-insensitive, Unix ones are not.
    unix = windows.prefix / "drive_c" / "users" / "Some One" / "hvbpa tests" / request.node.name
    unix.mkdir(parents=True, exist_ok=True)
    yield unix, PureWindowsPath("C:\\Users\\Some One\\hvbpa tests", request.node.name)
    shutil.rmtree(unix, ignore_errors=True)
