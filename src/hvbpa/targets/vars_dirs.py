"""group_vars/ and host_vars/ next to an inventory file, found as ansible-core's host_group_vars plugin finds them.

For a group or host NAME, the first of ``NAME``, ``NAME.yml``, ``NAME.yaml``, ``NAME.json``
that exists is used; if it is a directory, its files with one of those extensions or none
are read in name order (subdirectories without an extension included, in place), later
files overriding earlier ones. Hidden entries ('.') and editor backups ('~') are skipped,
as Ansible skips them.

Where this differs from ansible-core:

- Symbolic links are skipped, the group_vars and host_vars directories themselves included
  (Ansible follows them): an inventory should not pull in files from elsewhere unseen.
- A vault-encrypted file is skipped rather than decrypted. By Ansible's own convention such
  a file (vault.yml beside vars.yml) holds passwords, which hvbpa does not read.
- A name that is no plain file name ('.', '..', or with a slash) has no vars files.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hvbpa.targets.inventory import Value
from hvbpa.targets.model import TargetError, read_text
from hvbpa.targets.yaml_inventory import parse_vars

_EXTENSIONS = (".yml", ".yaml", ".json")


class VarsDirs:
    """Variables from the vars files of one inventory file's directory, each file read once."""

    def __init__(self, inventory_path: Path) -> None:
        self.base = inventory_path.parent
        self._found: dict[tuple[str, str], dict[str, Value]] = {}

    def __call__(self, kind: str, name: str) -> dict[str, Value]:
        """The merged variables of ``kind`` ("group_vars" or "host_vars") for a group or host."""
        key = (kind, name)
        if key not in self._found:
            merged: dict[str, Value] = {}
            for path in self._files(kind, name):
                merged.update(_read(path))
            self._found[key] = merged
        return self._found[key]

    def _files(self, kind: str, name: str) -> list[Path]:
        directory = self.base / kind
        if _kind(directory) != "dir" or name in ("", ".", "..") or "/" in name or "\\" in name:
            return []
        for extension in ("", *_EXTENSIONS):
            candidate = directory / (name + extension)
            found = _kind(candidate)
            if found == "dir":
                return _walk(candidate)
            if found == "file":
                return [candidate]
        return []


def _kind(path: Path) -> str | None:
    """What path is: "dir", "file", or None for anything else, symlinks and missing paths included."""
    try:
        mode = path.lstat().st_mode
    except (OSError, ValueError):  # ValueError: a NUL in a host name
        return None
    if stat.S_ISDIR(mode):
        return "dir"
    return "file" if stat.S_ISREG(mode) else None


def _walk(directory: Path) -> list[Path]:
    try:
        entries = sorted(entry.name for entry in directory.iterdir())
    except OSError as exc:
        raise TargetError(str(directory), f"cannot read: {exc.strerror or exc}") from None
    found: list[Path] = []
    for entry in entries:
        if entry.startswith(".") or entry.endswith("~"):
            continue
        path = directory / entry
        extension = os.path.splitext(entry)[1]  # noqa: PTH122 - Path.suffix differs for names like 'a.'
        kind = _kind(path)
        if kind == "dir" and not extension:
            found.extend(_walk(path))
        elif kind == "file" and (not extension or extension in _EXTENSIONS):
            found.append(path)
    return found


def _read(path: Path) -> dict[str, Value]:
    text = read_text(path)
    if text.startswith("$ANSIBLE_VAULT;"):
        return {}
    return parse_vars(text, str(path))
