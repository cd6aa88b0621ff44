"""What ``hvbpa --help`` lists, without click.

The top-level help is the second most common call after ``--version``; rendering it
here keeps it as fast as Python's own start-up. ``hvbpa.cli`` builds its click group
from the same table, and a test checks that both render the same text.
"""

from __future__ import annotations

import shutil
import textwrap

# name -> (module:attribute, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("hvbpa.cli.scan_commands:scan", "Scan Hyper-V hosts over WinRM and report best-practice findings."),
    "collect": ("hvbpa.cli.scan_commands:collect", "Collect one host's snapshot without evaluating it."),
    "evaluate": ("hvbpa.cli.offline_commands:evaluate", "Evaluate saved host snapshots offline."),
    "rules": ("hvbpa.cli.offline_commands:rules", "List and describe the rules."),
    "report": ("hvbpa.cli.offline_commands:report", "Work with saved JSON reports (merge)."),
    "baseline": ("hvbpa.cli.offline_commands:baseline", "Accept today's findings so only new ones fail."),
    "schema": ("hvbpa.cli.offline_commands:schema", "Print a shipped JSON Schema."),
    "demo": ("hvbpa.cli.scan_commands:demo", "Scan the built-in lab fleet over real WinRM."),
    "lab": ("hvbpa.cli.scan_commands:lab", "Lab WinRM hosts on loopback, for trying hvbpa without Windows."),
}

MAIN_HELP = """Best Practices Analyzer for Windows Server Hyper-V fleets, over WinRM.

Defaults come from hvbpa.toml (or [tool.hvbpa] in pyproject.toml) in the current
folder, or the file --config names, and from HVBPA_* variables; options on the command line win."""

CONFIG_HELP = "Settings file to use instead of the current folder's hvbpa.toml; relative paths start from its folder."

LANG_NAMES = ("en", "ko")
LANG_HELP = (
    "Language of messages and reports for any command [default: HVBPA_LANG, the settings file, "
    "then LC_ALL / LC_MESSAGES / LANG]; a command's own --lang wins."
)

EXIT_CODES_HELP = (
    "Exit codes: 0 nothing at or above --fail-on; 1 findings; 2 usage, configuration or input error; "
    "3 the run is incomplete (a host could not be scanned or judged); 4 internal error (a bug in hvbpa; "
    "the traceback is written to a file); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM)."
)

MAX_WIDTH = 100
_OPTIONS = (
    ("--config PATH", CONFIG_HELP),
    ("--lang [en|ko]", LANG_HELP),
    ("-V, --version", "Show the version and exit."),
    ("-h, --help", "Show this message and exit."),
)


def _width() -> int:
    # The same rule as click.formatting.HelpFormatter.
    return max(min(shutil.get_terminal_size().columns, MAX_WIDTH) - 2, 50)


def _paragraphs(text: str, width: int) -> list[str]:
    out: list[str] = []
    for paragraph in text.split("\n\n"):
        joined = " ".join(paragraph.split())
        out += textwrap.wrap(joined, width, initial_indent="  ", subsequent_indent="  ")
        out.append("")
    return out


def _definitions(rows: tuple[tuple[str, str], ...], width: int) -> list[str]:
    first = max(len(name) for name, _ in rows)
    lines = []
    for name, text in rows:
        wrapped = textwrap.wrap(text, max(width - first - 4, 10)) or [""]
        lines.append(f"  {name:<{first}}  {wrapped[0]}".rstrip())
        lines += [" " * (first + 4) + more for more in wrapped[1:]]
    return lines


def top_level_help(prog: str = "hvbpa") -> str:
    width = _width()
    lines = [f"Usage: {prog} [OPTIONS] COMMAND [ARGS]...", ""]
    lines += _paragraphs(MAIN_HELP, width)
    lines += ["Options:", *_definitions(_OPTIONS, width), ""]
    lines += ["Commands:", *_definitions(tuple((n, h) for n, (_, h) in COMMANDS.items()), width), ""]
    lines += _paragraphs(EXIT_CODES_HELP, width)
    return "\n".join(lines[:-1]) + "\n"
