"""Shared by every command: one-line errors with their exit code, durations, help text."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from hvbpa.exit_codes import ExitCode

if TYPE_CHECKING:
    from hvbpa.evaluate import RuleFailure

F = TypeVar("F", bound=Callable[..., Any])

# Kept in sync with hvbpa.report.FORMATS by a test; importing it here would load the registry at start-up.
FORMAT_NAMES = ("table", "json", "sarif", "junit", "csv")
FAIL_ON = ("error", "warning", "information", "never")


# ctx.meta key (shared by a run's contexts) of the language chosen before the command: `hvbpa
# --lang`, HVBPA_LANG or the settings file.
LANG_META = "hvbpa.lang"


def cli_lang() -> str:
    """The language of the CLI's own messages: the command's --lang once click has parsed it (an
    error inside the command), else the run's (`hvbpa --lang`, HVBPA_LANG, the settings file),
    else the locale (a usage error, found while parsing)."""
    from hvbpa.i18n import LANGS, default_lang

    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        lang = ctx.params.get("lang") or ctx.meta.get(LANG_META)
        if lang in LANGS:
            return str(lang)
    chosen = os.environ.get("HVBPA_LANG", "").strip()
    return chosen if chosen in LANGS else default_lang(os.environ)


def one_line(message: str) -> str:
    """A message on one line, whatever a file or host put in what it quotes: line breaks and
    terminal controls shown as escapes."""
    from hvbpa.visible import visible

    return visible(message)


def lang_in(args: Sequence[str]) -> str | None:
    """The --lang a command line asks for, read before click has parsed it (for its usage errors)."""
    from hvbpa.i18n import LANGS

    for index, arg in enumerate(args):
        if arg == "--lang":
            value = args[index + 1] if index + 1 < len(args) else None
        elif arg.startswith("--lang="):
            value = arg.removeprefix("--lang=")
        else:
            continue
        if value in LANGS:
            return value
    return None


def die(message: str, code: ExitCode = ExitCode.USAGE, lang: str | None = None) -> NoReturn:
    from hvbpa.i18n import text

    click.echo(text("cli_error", lang or cli_lang(), message=one_line(message)), err=True)
    sys.exit(int(code))


def run_guarded(body: Callable[[], int], on_error: Callable[[int, str], None] | None = None) -> NoReturn:
    """Turn hvbpa's own errors into a one-line message and their exit code.

    ``on_error(code, message)`` is told of an error (its exit code: 2, or 4 for a bug; not an interrupt) before
    hvbpa exits: scan leaves a failed run's JSON report with it.
    """
    from hvbpa.errors import HvbpaError

    def failed(code: int, message: str) -> None:
        if on_error is None:
            return
        # The error line is what the user needs; a report that cannot be written must not replace it.
        with suppress(Exception):
            on_error(code, one_line(message))

    try:
        code = body()
    except HvbpaError as exc:
        failed(exc.exit_code, str(exc))
        die(str(exc), exc.exit_code)
    except click.ClickException as exc:
        # Raised by option checks inside a command: one line, like every other input error.
        message = " ".join(exc.format_message().split())
        failed(ExitCode.USAGE, message)
        die(message)
    except (KeyboardInterrupt, click.exceptions.Abort):  # Abort: Ctrl-C at the password prompt
        interrupted()
    except OSError as exc:  # the file system said no (a path too long, a full disk): the user's to fix
        failed(ExitCode.USAGE, os_error(exc))
        die(os_error(exc))
    except Exception as exc:  # a bug: one line and its own exit code, never a traceback
        failed(ExitCode.INTERNAL, f"internal error ({type(exc).__name__}); see the error line on stderr")
        internal_error(exc)
    sys.exit(code)


def os_error(exc: OSError) -> str:
    name = str(exc.filename) if exc.filename is not None else ""
    shown = name if len(name) <= 120 else name[:119] + "…"
    why = exc.strerror or exc.__class__.__name__
    return f"{shown}: {why}" if shown else why


def interrupted() -> NoReturn:
    from hvbpa.i18n import text
    from hvbpa.signals import terminated

    if terminated():
        die(text("cli_terminated", cli_lang()), ExitCode.TERMINATED)
    die(text("cli_interrupted", cli_lang()), ExitCode.INTERRUPTED)


def internal_error(exc: BaseException) -> NoReturn:
    """One line saying what failed and where the traceback is; exit 4, never 1 (findings)."""
    import traceback

    from hvbpa.errors import exception_summary
    from hvbpa.i18n import text

    lang = cli_lang()
    where = save_traceback("".join(traceback.format_exception(exc)), lang)
    what = exception_summary(exc)
    click.echo(one_line(text("cli_internal_error", lang, what=what, where=where)), err=True)
    sys.exit(int(ExitCode.INTERNAL))


def save_traceback(detail: str, lang: str) -> str:
    """Print ``detail`` (HVBPA_DEBUG=1) or write it to a temporary file; say where it went."""
    import tempfile

    from hvbpa.i18n import text

    if os.environ.get("HVBPA_DEBUG", "").strip() not in ("", "0"):
        sys.stderr.write(detail)
        return text("cli_traceback_above", lang)
    try:
        fd, path = tempfile.mkstemp(prefix="hvbpa-traceback-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(detail)
        return text("cli_traceback_in", lang, path=path)
    except OSError:
        return text("cli_traceback_debug", lang)


def rule_failures(failures: Sequence[RuleFailure]) -> None:
    """One line per rule whose check raised: which rule, what, and where its traceback went."""
    from hvbpa.i18n import text

    lang = cli_lang()
    for failure in failures:
        where = save_traceback(failure.detail, lang)
        line = text("cli_rule_internal_error", lang, rule=failure.rule_id, what=failure.summary, where=where)
        click.echo(one_line(line), err=True)


class Duration(click.ParamType[float]):
    """A duration option (``90s``, ``10m``, ``1h``, or a bare number in ``default_unit``), in seconds.

    One type for every duration option, so each accepts the same forms and refuses the
    same values (zero, negative, inf, nan, 1e400) as a usage error at parse time.
    """

    name = "duration"

    def __init__(self, default_unit: str = "s", longest: float | None = None) -> None:
        self.default_unit = default_unit
        self.longest = longest

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value  # already converted (a default_map value or a re-parse)
        from hvbpa.durations import parse_duration

        try:
            seconds = parse_duration(value, self.default_unit)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if self.longest is not None and seconds > self.longest:
            self.fail(f"{value} is longer than {self.longest:g} s", param, ctx)
        return seconds


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
