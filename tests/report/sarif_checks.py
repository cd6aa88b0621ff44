"""What GitHub code scanning needs of a SARIF file, checked two ways.

``github_problems`` states GitHub's two location rules in Python (GH1001: every result
location has ``physicalLocation.artifactLocation.uri``; GH1003: and a ``region`` with
``startLine``), so they are checked on every run of the suite.

``multitool_problems`` runs Microsoft's SARIF Multitool (npm package
``@microsoft/sarif-multitool-linux``, the version in ``MULTITOOL_VERSION``): its SARIF rules
and its GitHub rules (GH1001 ... GH2012), which it runs only when they are enabled one by one
in a configuration file and ``--rule-kind`` names ``Ghas``; the configuration is exported
from the tool itself and edited. SARIF2006 (every URI must answer an HTTP GET) is turned off:
tests send nothing off this machine. The tool is ``$HVBPA_SARIF_MULTITOOL``, else the copy
``.ci/run`` installs under ``.cache/sarif-multitool/`` in the checkout. Without it the tests
that need it skip with one reason, unless ``HVBPA_REQUIRE_SARIF_MULTITOOL=1`` (set by
``.ci/run``) makes its absence a failure.

Known defect of 5.7.0: GH1001's message for a location without ``physicalLocation`` has a
placeholder too many, so the tool stops with ERR999 (a FormatException) instead of printing
it. An error-level notification is therefore a problem here too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MULTITOOL_VERSION = "5.7.0"
MULTITOOL_VAR = "HVBPA_SARIF_MULTITOOL"
REQUIRE_VAR = "HVBPA_REQUIRE_SARIF_MULTITOOL"
INSTALLED = ROOT / ".cache" / "sarif-multitool" / "node_modules" / "@microsoft" / "sarif-multitool-linux"
INSTALL_HINT = (
    f"npm install --prefix .cache/sarif-multitool @microsoft/sarif-multitool-linux@{MULTITOOL_VERSION} "
    f"(or set {MULTITOOL_VAR} to its Sarif.Multitool)"
)
# Rules that would reach off this machine.
OFFLINE_DISABLED = ("SARIF2006",)


def github_problems(document: Mapping[str, Any]) -> list[str]:
    """GH1001 and GH1003 as GitHub applies them: one line per result location that breaks them."""
    problems: list[str] = []
    for r, run in enumerate(document.get("runs", [])):
        for i, result in enumerate(run.get("results", [])):
            where = f"runs[{r}].results[{i}]"
            locations = result.get("locations")
            if not locations:
                problems.append(f"GH1001 {where}: no locations")
                continue
            for n, location in enumerate(locations):
                physical = location.get("physicalLocation") or {}
                uri = (physical.get("artifactLocation") or {}).get("uri")
                if not isinstance(uri, str) or not uri:
                    problems.append(f"GH1001 {where}.locations[{n}]: no physicalLocation.artifactLocation.uri")
                    continue
                line = (physical.get("region") or {}).get("startLine")
                if not isinstance(line, int) or isinstance(line, bool) or line < 1:
                    problems.append(f"GH1003 {where}.locations[{n}]: no region.startLine")
    return problems


def locate_multitool(environ: Mapping[str, str] | None = None) -> Path | None:
    env = os.environ if environ is None else environ
    named = env.get(MULTITOOL_VAR, "").strip()
    candidate = Path(named) if named else INSTALLED / "Sarif.Multitool"
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def require_multitool(environ: Mapping[str, str] | None = None) -> Path:
    """The Multitool, else skip (or fail where CI requires it)."""
    env = os.environ if environ is None else environ
    found = locate_multitool(env)
    if found is not None:
        return found
    missing = f"SARIF Multitool {MULTITOOL_VERSION} not installed: {INSTALL_HINT}"
    if env.get(REQUIRE_VAR, "") not in ("", "0"):
        pytest.fail(f"the SARIF Multitool is required here ({REQUIRE_VAR}=1) but {missing}", pytrace=False)
    pytest.skip(missing)


def _env() -> dict[str, str]:
    # No ICU needed on a bare CI image; no telemetry.
    return {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"}


def _run(tool: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(tool), *args], capture_output=True, text=True, timeout=120, env=_env(), check=False)


def github_configuration(tool: Path, folder: Path) -> Path:
    """The tool's own exported configuration with every GitHub rule enabled as an error."""
    exported = folder / "exported.xml"
    done = _run(tool, "export-validation-config", str(exported))
    assert done.returncode == 0 and exported.is_file(), done.stdout + done.stderr
    text = exported.read_text("utf-8-sig")
    github = re.findall(r'<Properties Key="(GH\d+)\.\w+\.Options">', text)
    assert {"GH1001", "GH1003"} <= set(github), f"the Multitool no longer has GH1001 and GH1003: {github}"
    for rule, state in [*((g, "Error") for g in github), *((s, "Disabled") for s in OFFLINE_DISABLED)]:
        pattern = re.compile(rf'(<Properties Key="{rule}\.\w+\.Options">\s*<Property Key="RuleEnabled" Value=")\w+(")')
        text, count = pattern.subn(rf"\g<1>{state}\g<2>", text)
        assert count == 1, f"{rule} has no RuleEnabled setting in the exported configuration"
    configured = folder / "github-rules.xml"
    configured.write_text(text, "utf-8")
    return configured


def multitool_problems(tool: Path, sarif: Path, folder: Path) -> list[str]:
    """Errors and warnings of the Multitool's SARIF and GitHub rules, and any failure of the tool itself.

    Notes (SARIF2002: use message ids; SARIF2012: Pascal-case rule names ...) are advice, not problems.
    """
    folder.mkdir(parents=True, exist_ok=True)
    config = github_configuration(tool, folder)
    log = folder / f"{sarif.stem}.validation.sarif"
    done = _run(
        tool,
        "validate",
        str(sarif),
        "--output",
        str(log),
        "--log",
        "ForceOverwrite",
        "--config",
        str(config),
        "--rule-kind",
        "Sarif;Ghas",
        "--level",
        "Error;Warning",
        "--quiet",
    )
    if not log.is_file():
        return [f"the Multitool wrote no log (exit {done.returncode}): {(done.stdout + done.stderr)[-2000:]}"]
    (run,) = json.loads(log.read_text("utf-8-sig"))["runs"]
    problems = [
        f"{r['ruleId']} {r.get('level', 'warning')}: {_message(run, r)}"
        for r in run.get("results", [])
        if r.get("level", "warning") in ("error", "warning")
    ]
    for invocation in run.get("invocations", []):
        notes = invocation.get("toolExecutionNotifications", []) + invocation.get("toolConfigurationNotifications", [])
        for note in notes:
            descriptor = (note.get("descriptor") or {}).get("id", "")
            if note.get("level") == "error" or descriptor.startswith("ERR"):
                problems.append(f"{descriptor}: {note['message'].get('text', '')[:300]}")
    if done.returncode != 0 and not problems:
        problems.append(f"the Multitool exited {done.returncode}: {(done.stdout + done.stderr)[-2000:]}")
    return problems


def _message(run: Mapping[str, Any], result: Mapping[str, Any]) -> str:
    message = result.get("message", {})
    if "text" in message:
        return str(message["text"])
    return f"{message.get('id', '')} {message.get('arguments', [])}"
