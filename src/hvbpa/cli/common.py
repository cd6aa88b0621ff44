"""Shared by every command: one-line errors with their exit code, durations, help text."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from hvbpa.exit_codes import ExitCode

F = TypeVar("F", bound=Callable[..., Any])

# Kept in sync with hvbpa.report.FORMATS by a test; importing it here would load the registry at start-up.
FORMAT_NAMES = ("table", "json", "sarif", "junit", "csv")
FAIL_ON = ("error", "warning", "information", "never")


def cli_lang() -> str:
    """The language of the CLI's own messages: --lang is parsed too late for them, so the locale."""
    from hvbpa.i18n import default_lang

    return default_lang(os.environ)


def die(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    from hvbpa.i18n import text

    click.echo(text("cli_error", cli_lang(), message=message), err=True)
    sys.exit(int(code))


def run_guarded(body: Callable[[], int]) -> NoReturn:
    """Turn hvbpa's own errors into a one-line message and their exit code."""
    from hvbpa.errors import HvbpaError

    try:
        code = body()
    except HvbpaError as exc:
        die(str(exc), exc.exit_code)
    except click.BadParameter as exc:
        # Raised by option checks inside a command: one line, like every other input error.
        die(exc.format_message())
    except KeyboardInterrupt:
        from hvbpa.i18n import text

        die(text("cli_interrupted", cli_lang()), ExitCode.INTERRUPTED)
    sys.exit(code)


def plain_path_option(command: str, what: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A callback for ``-o FILE`` of commands that write one kind of file, unlike ``scan -o FORMAT[:PATH]``."""

    def check(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        name, colon, rest = str(value).partition(":")
        if value is not None and colon and name.lower() in FORMAT_NAMES:
            raise click.BadParameter(
                f"{command} -o takes a file name ({what}), not FORMAT:PATH as scan does: -o {rest or 'FILE'}",
                ctx=ctx,
                param=param,
            )
        return value

    return check


def parse_duration(value: str, option: str, default_unit: str = "m") -> float:
    """``10m``, ``600s``, ``1h``, or a bare number in ``default_unit``."""
    units = {"s": 1.0, "m": 60.0, "h": 3600.0}
    text = value.strip().lower()
    scale = units.get(text[-1:])
    number = text[:-1] if scale else text
    try:
        amount = float(number)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a duration like 10m, 600s or 1h", param_hint=option) from None
    if amount < 0:
        raise click.BadParameter("must not be negative", param_hint=option)
    return amount * (scale or units[default_unit])
