"""Errors that end a command, each carrying the exit code the CLI returns for it."""

from __future__ import annotations

from hvbpa.exit_codes import ExitCode


class HvbpaError(Exception):
    """A one-line message for the user; never a traceback."""

    exit_code: ExitCode = ExitCode.USAGE


class InputError(HvbpaError):
    """A file or value given by the user is malformed."""


class ConfigError(HvbpaError):
    """Rules, exclusions or settings are invalid."""


def exception_summary(exc: BaseException, limit: int = 200) -> str:
    """The exception's type and message on one line of bounded length: never a traceback."""
    message = " ".join(str(exc).split())
    return f"{exc.__class__.__name__}: {message[:limit]}" if message else exc.__class__.__name__
