"""A parsed snapshot back to its JSON form (enums as integers), so reports can carry
the data they were judged on and ``hvbpa report merge`` can judge it again."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from enum import IntEnum
from typing import Any

from hvbpa.snapshot.model import SNAPSHOT_SCHEMA, HostSnapshot


def _plain(value: object) -> object:
    if isinstance(value, IntEnum):
        return int(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


# In the model only: where the document came from.
_NOT_IN_JSON = frozenset({"source"})
# Written first, as the collector writes them; every other field follows in the model's order.
_FIRST = ("collected_at", "collector_version")


def dump_snapshot(snapshot: HostSnapshot) -> dict[str, Any]:
    """Every field of the model, by its name: a section the collector did not report (an older
    host) is null, as it was read."""
    names = [*_FIRST, *(f.name for f in fields(HostSnapshot) if f.name not in _NOT_IN_JSON and f.name not in _FIRST)]
    return {"schema": SNAPSHOT_SCHEMA, **{name: _plain(getattr(snapshot, name)) for name in names}}
