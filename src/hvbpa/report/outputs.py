"""``-o FORMAT[:PATH]``: which reports to write, and writing them without losing any."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from hvbpa.atomic import write_text_atomic
from hvbpa.errors import InputError
from hvbpa.report.formats import FORMATS, ReportContext, formatter


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


def check_outputs(specs: Sequence[OutputSpec]) -> None:
    """Fail before scanning, not after: two reports on stdout, or an unwritable folder."""
    on_stdout = [s for s in specs if s.path is None]
    if len(on_stdout) > 1:
        raise InputError(f"only one report can go to standard output (got {', '.join(map(str, on_stdout))})")
    seen: set[Path] = set()
    for spec in specs:
        if spec.path is None:
            continue
        resolved = spec.path.resolve()
        if resolved in seen:
            raise InputError(f"-o {spec}: two reports would be written to the same file")
        seen.add(resolved)
        if not spec.path.parent.resolve().is_dir():
            raise InputError(f"-o {spec}: folder {spec.path.parent} does not exist")
        if spec.path.is_dir():
            raise InputError(f"-o {spec}: {spec.path} is a folder")


def write_outputs(specs: Sequence[OutputSpec], ctx: ReportContext, stdout: TextIO, *, stdout_color: bool) -> None:
    for spec in specs:
        if spec.path is None:
            stdout.write(formatter(spec.format)(replace(ctx, color=stdout_color)))
            stdout.flush()
        else:
            write_text_atomic(spec.path, formatter(spec.format)(replace(ctx, color=False)))
