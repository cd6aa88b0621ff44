"""Start-up stays lean: `hvbpa --help` and `--version` load no heavy module, and every
lazily loaded command still resolves."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hvbpa.cli.index import COMMANDS
from tests.conftest import Invoke

HEAVY = ("rich", "winrm", "requests", "jsonschema", "yaml", "spnego", "hvbpa.cli.scan_commands", "hvbpa.collect")


def _imported(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "hvbpa", *args], capture_output=True, text=True, check=True
    )
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_no_heavy_imports(args: list[str]) -> None:
    loaded = _imported(*args)
    assert not [m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY]
    assert "click" not in loaded
    assert "typing" not in loaded  # a fifth of --help's own start-up: annotations only need it for mypy


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_resolves_and_has_help(cli: Invoke, name: str) -> None:
    result = cli(name, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_top_level_help_lists_every_command(cli: Invoke) -> None:
    text = cli("--help").output
    for name, (_, short) in COMMANDS.items():
        assert name in text and short.split()[0] in text
    assert cli("nonsense").exit_code == 2


@pytest.mark.parametrize("columns", ["40", "80", "200"])
def test_fast_help_is_clicks_help(columns: str) -> None:
    """The click-free top-level help must say exactly what click would."""
    env = {**os.environ, "COLUMNS": columns}
    fast = subprocess.run([sys.executable, "-m", "hvbpa", "--help"], capture_output=True, text=True, env=env)
    code = "from hvbpa.cli.main import main; main(['--help'], prog_name='hvbpa')"
    slow = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert fast.returncode == slow.returncode == 0
    assert fast.stdout == slow.stdout


def test_every_command_has_examples_and_every_option_a_description() -> None:
    import click

    from hvbpa.cli.main import main

    ctx = click.Context(main)
    found = []

    def walk(command: click.Command, path: str) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, f"{path} {name}")
            return
        found.append(path)
        text = f"{command.help or ''}\n{command.epilog or ''}"
        assert "Examples:" in text, f"{path}: no examples in --help"
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"{path} {param.opts[0]}: no description"

    walk(main, "hvbpa")
    assert len(found) >= 10
