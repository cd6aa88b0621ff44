"""The README's "Scheduled runs": its settings file loads, every flag its commands use exists, the
systemd units and the cron line parse, and its PowerShell monitor tells a failed run from a good one."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest

from hvbpa.cli.main import main
from hvbpa.config import load_config
from tests.conftest import Invoke
from tests.powershell.conftest import require_powershell

README = Path(__file__).resolve().parents[1] / "README.md"


def _section() -> str:
    text = README.read_text("utf-8")
    return text[text.index("## Scheduled runs") : text.index("## Exit codes")]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _section(), re.DOTALL)


def _hvbpa_commands() -> list[list[str]]:
    """Every hvbpa command line of the section, as words, from ``hvbpa`` on."""
    section = _section()
    lines = [m.group(1) for m in re.finditer(r"^ExecStart=(.*)$", section, re.MULTILINE)]
    lines += [m.group(1) for m in re.finditer(r"-Argument '([^']*)'", section)]
    lines += [m.group(1) for m in re.finditer(r'/tr "([^"]*)"', section)]
    lines += [part for m in re.finditer(r"^\d+ \d+ .*$", section, re.MULTILINE) for part in m.group(0).split("&&")]
    commands = []
    for line in lines:
        words = shlex.split(line.replace("\\", "/"), comments=False)
        # The program, not a folder named hvbpa (cd /var/lib/hvbpa).
        start = next((i for i, w in enumerate(words) if re.search(r"/bin/hvbpa$|/hvbpa\.exe$", w)), None)
        if start is None:
            if not line.lstrip().startswith(("--config", "scan")):
                continue
            start = -1
        command = words[start + 1 :]
        commands.append(command[: command.index("2>>")] if "2>>" in command else command)
    return commands


def _options(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts) if opt.startswith("-")}


def test_every_flag_of_the_documented_commands_exists() -> None:
    commands = _hvbpa_commands()
    # systemd, cron, Register-ScheduledTask and schtasks
    assert len(commands) == 4, commands
    ctx = click.Context(main)
    scan = main.get_command(ctx, "scan")
    assert scan is not None
    for words in commands:
        assert "scan" in words, words
        at = words.index("scan")
        before, after = words[:at], words[at + 1 :]
        assert {w for w in before if w.startswith("-")} <= _options(main) | {"--help"}, words
        unknown = {w for w in after if w.startswith("-") and w not in _options(scan)}
        assert unknown == set(), words
        assert "--config" in before and any(w.startswith("json:") for w in after), words


def test_the_settings_file_loads(tmp_path: Path) -> None:
    (block,) = _blocks("toml")
    path = tmp_path / "hvbpa.toml"
    path.write_text(block, encoding="utf-8")
    settings = load_config(tmp_path, {}, path)
    assert settings["fail_on"] == "error" and settings["username"] == "svc-hvbpa@contoso.com", settings


def test_the_systemd_units_parse() -> None:
    units = [b for b in _blocks("ini") if "/etc/systemd/system/" in b]
    assert len(units) == 2
    parsed = []
    for unit in units:
        parser = configparser.ConfigParser(strict=True, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(unit)
        parsed.append(parser)
    service, timer = parsed
    assert service["Service"]["Type"] == "oneshot" and service["Service"]["SuccessExitStatus"] == "1"
    assert timer["Timer"]["Persistent"] == "true" and timer["Install"]["WantedBy"] == "timers.target"
    analyze = shutil.which("systemd-analyze")
    if analyze:
        done = subprocess.run(
            [analyze, "calendar", timer["Timer"]["OnCalendar"]], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr


def test_the_cron_line_parses() -> None:
    (line,) = re.findall(r"^(\S+ \S+ \S+ \S+ \S+) (\S+) (cd .*)$", _section(), re.MULTILINE)
    schedule, user, command = line
    minute, hour, *rest = schedule.split()
    assert 0 <= int(minute) < 60 and 0 <= int(hour) < 24 and rest == ["*", "*", "*"]
    assert user == "hvbpa" and "%" not in command  # cron turns % into a newline
    done = subprocess.run(["sh", "-n", "-c", command], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_powershell_monitor_tells_a_failed_run(cli: Invoke, tmp_path: Path) -> None:
    pwsh = require_powershell()
    (monitor,) = [b for b in _blocks("powershell") if "ConvertFrom-Json" in b]
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("hv01 transport=carrier-pigeon\n", encoding="utf-8")
    report = tmp_path / "report.json"
    assert cli("scan", "--hosts-file", str(hosts), "-q", "-o", f"json:{report}").exit_code == 2

    def warns() -> str:
        script = monitor.replace(r"C:\hvbpa\reports\report.json", f"'{report}'")
        done = subprocess.run(
            [str(pwsh), "-NoProfile", "-NonInteractive", "-Command", script],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr

    assert "no good report today (exit 2:" in warns()
    document = json.loads(report.read_text("utf-8"))
    document["run"]["exit_code"] = 1
    report.write_text(json.dumps(document), encoding="utf-8")
    assert warns().strip() == ""
    document["run"]["started"] = (datetime.now(UTC) - timedelta(days=2)).isoformat(timespec="seconds")
    report.write_text(json.dumps(document), encoding="utf-8")
    assert "no good report today (exit 1" in warns()


@pytest.mark.parametrize("flag", ["--config", "--hosts-file", "--transport", "-o"])
def test_documented_flags_are_in_the_help(cli: Invoke, flag: str) -> None:
    shown = cli("--help").output + cli("scan", "--help").output
    assert flag in shown
