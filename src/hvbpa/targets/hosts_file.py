"""Hosts files: one target per line, as it would be written on the command line."""

from __future__ import annotations

from pathlib import Path

from hvbpa.targets.model import Target, parse_target, read_text


def read_hosts_file(path: Path) -> list[Target]:
    """Targets in file order; ``#`` starts a comment, blank lines are skipped."""
    targets = []
    # split("\n") rather than splitlines(): form feeds and Unicode separators would shift line numbers.
    for number, line in enumerate(read_text(path).split("\n"), 1):
        entry = line.split("#", 1)[0].strip()
        if entry:
            targets.append(parse_target(entry, f"{path}:{number}"))
    return targets
