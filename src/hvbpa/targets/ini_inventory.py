"""Ansible INI inventories, read as ansible-core's ini plugin reads them, except for backslashes.

Ansible drops a backslash that quotes nothing (``C:\\certs\\ca.pem`` becomes ``C:certsca.pem``) and
reads a quoted ``[group:vars]`` value as a Python string (``'C:\\new'`` gets a line break):
hvbpa keeps Windows paths as written (see :mod:`hvbpa.targets.words`).
"""

from __future__ import annotations

import ast
import re
import warnings

from hvbpa.targets.inventory import Inventory, Value
from hvbpa.targets.model import TargetError
from hvbpa.targets.words import WordsError, split_words

_SECTION = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$")
_GROUP_NAME = re.compile(r"^([^:\]\s]+)\s*(?:#.*)?$")


def parse_ini(text: str, label: str) -> Inventory:
    inventory = Inventory(label)
    declared = {"all", "ungrouped"}
    # Like ansible-core, a group may be used before its section; unresolved uses fail at the end.
    pending: list[tuple[int, str, str]] = []  # (line, group that must be declared, message)
    group, state = "ungrouped", "hosts"
    for number, raw in enumerate(text.split("\n"), 1):
        where = f"{label}:{number}"
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        section = _SECTION.match(line)
        if section:
            group, state = section.group(1), section.group(2) or "hosts"
            if state not in ("hosts", "children", "vars"):
                raise TargetError(where, f"section [{group}:{state}] has unknown type {state!r} (use children or vars)")
            inventory.group(group)
            if state == "vars":
                pending.append((number, group, f"section [{group}:vars] is for a group that is never defined"))
            else:
                declared.add(group)
            continue
        if line.startswith("[") and line.endswith("]"):
            raise TargetError(where, f"invalid section header {line!r}: no spaces or ':' in group names")
        if state == "hosts":
            _ini_hosts(inventory, line, group, where)
        elif state == "vars":
            key, equals, value = line.partition("=")
            if not equals or not key.strip():
                raise TargetError(where, f"expected key=value, got {line!r}")
            inventory.set_group_var(group, key.strip(), Value(_vars_value(value.strip()), where))
        else:
            child = _GROUP_NAME.match(line)
            if not child:
                raise TargetError(where, f"expected a group name, got {line!r}")
            inventory.add_child(group, child.group(1), where)
            pending.append(
                (number, child.group(1), f"[{group}:children] names group {child.group(1)!r}, which is never defined")
            )
    for number, name, message in pending:
        if name not in declared:
            raise TargetError(f"{label}:{number}", message)
    return inventory


def _ini_hosts(inventory: Inventory, line: str, group: str, where: str) -> None:
    # Ansible's shell words, except that a backslash that quotes nothing is kept (Windows paths).
    try:
        tokens = split_words(line, ansible=True)
    except WordsError as exc:
        raise TargetError(where, f"cannot parse host line: {exc}") from None
    if not tokens:
        return
    variables = {}
    for token in tokens[1:]:
        key, equals, value = token.partition("=")
        if not equals or not key:
            raise TargetError(where, f"expected key=value after the host name, got {token!r}")
        variables[key] = Value(_literal(value), where)
    inventory.add_hosts(tokens[0], variables, group, where)


def _vars_value(text: str) -> object:
    """A ``[group:vars]`` value: a Python literal as Ansible reads it, except a quoted one with a
    backslash, which is taken as written between its quotes. Ansible would read ``"C:\\Users\\x"``
    as a broken escape (and keep the quotes) and ``'C:\\new'`` with a line break in it."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" and "\\" in text:
        return text[1:-1]
    return _literal(text)


def _literal(text: str) -> object:
    """Read an INI value as ansible-core does: a Python literal if it is one, else the text."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # literal_eval warns about odd escapes in values like 'C:\d'
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return text
