"""``-o FORMAT[:PATH]``: which reports to write, and writing them without losing any."""

from __future__ import annotations

import codecs
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from hvbpa.atomic import check_writable, destination, write_all_atomic
from hvbpa.console import is_console
from hvbpa.errors import InputError
from hvbpa.report.formats import FORMATS, ReportContext, formatter, json_text

# Excel opens a .csv file in the system's ANSI code page unless it starts with a UTF-8 BOM, and
# Korean names came out garbled. Files only: a program reading stdout takes a BOM for a character.
FILE_START = {"csv": codecs.BOM_UTF8}


@dataclass(frozen=True)
class OutputSpec:
    format: str
    path: Path | None  # None: standard output

    def __str__(self) -> str:
        return f"{self.format}:{self.path}" if self.path else self.format


def parse_output(value: str) -> OutputSpec:
    name, sep, path = value.partition(":")
    name = name.strip().lower()
    if name not in FORMATS:
        raise InputError(f"-o {value}: unknown format {name!r} (choose from {', '.join(FORMATS)})")
    if sep and not path:
        raise InputError(f"-o {value}: a path must follow the colon")
    return OutputSpec(name, None if not path or path == "-" else Path(path))


def check_outputs(specs: Sequence[OutputSpec], inputs: Sequence[Path] = ()) -> None:
    """Fail before scanning, not after: two reports on stdout, an unwritable destination, an input overwritten."""
    on_stdout = [s for s in specs if s.path is None]
    if len(on_stdout) > 1:
        raise InputError(f"only one report can go to standard output (got {', '.join(map(str, on_stdout))})")
    seen: set[Path] = set()
    for spec in specs:
        if spec.path is None:
            continue
        try:
            resolved = spec.path.resolve()
            spec.path.parent.resolve()
        except (RuntimeError, OSError):  # a symbolic link loop (RuntimeError before Python 3.13)
            raise InputError(f"-o {spec}: {spec.path} is a symbolic link that loops") from None
        if resolved in seen:
            raise InputError(f"-o {spec}: two reports would be written to the same file")
        seen.add(resolved)
        # A symbolic link is written through (hvbpa.atomic): the folder that matters is its target's.
        folder = destination(spec.path).parent
        if not folder.resolve().is_dir():
            raise InputError(f"-o {spec}: folder {folder} does not exist")
        if spec.path.is_dir():
            raise InputError(f"-o {spec}: {spec.path} is a folder")
        for given in inputs:
            if _same_file(spec.path, given):
                raise InputError(f"-o {spec}: {spec.path} is also an input; the report would replace it")
        why = check_writable(spec.path)
        if why:
            raise InputError(f"-o {spec}: cannot write {spec.path} ({why})")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except (OSError, RuntimeError):
        return False


def write_outputs(specs: Sequence[OutputSpec], ctx: ReportContext, stdout: TextIO, *, stdout_color: bool) -> None:
    """Every report rendered first; the files written, all or none; then the one on stdout.

    The files come first: a scheduled task's JSON must not depend on its log (a pipe that
    closed, a console that cannot show a character). A failure while writing them (a full
    disk, a file open in another program) is an InputError naming the file; no report file
    is then replaced and none is left half written, and the report on stdout is still shown.
    """
    files = [
        (
            spec.path,
            FILE_START.get(spec.format, b"") + formatter(spec.format)(replace(ctx, color=False)).encode("utf-8"),
        )
        for spec in specs
        if spec.path is not None
    ]
    shown = [
        (spec.format, formatter(spec.format)(replace(ctx, color=stdout_color))) for spec in specs if spec.path is None
    ]
    failure: InputError | None = None
    try:
        write_all_atomic(files)
    except OSError as exc:
        where = exc.filename or ", ".join(str(path) for path, _ in files)
        failure = InputError(f"cannot write {where} ({exc.strerror or exc}); no report file was changed")
    for format_name, rendered in shown:
        if format_name == "table" and sys.platform == "win32" and is_console(stdout):
            from hvbpa.report.table import show_on_windows_console

            show_on_windows_console(rendered, stdout)
        else:
            stdout.write(rendered)
        stdout.flush()
    if failure is not None:
        raise failure


def write_failed_run(specs: Sequence[OutputSpec], document: dict[str, Any]) -> None:
    """A failed run's JSON report (json_report.failed_run_document) to every JSON file named,
    all or none. The other formats are left as they were: a CI job publishes nothing from a
    run that had no results, while a scheduled task's monitor reads the JSON."""
    text = json_text(document).encode("utf-8")
    write_all_atomic([(spec.path, text) for spec in specs if spec.format == "json" and spec.path is not None])
