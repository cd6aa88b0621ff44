"""A parsed snapshot back to its JSON form (enums as integers), so reports can carry
the data they were judged on and ``hvbpa report merge`` can judge it again."""

from __future__ import annotations

from typing import Any

import msgspec

from hvbpa.snapshot.model import SNAPSHOT_SCHEMA, HostSnapshot


def _plain(value: object) -> object:
    # Every field by its name, defaults and nulls included; enums as integers; tuples as lists
    # (to_builtins would keep tuples, which a JSON Schema validator does not take for arrays).
    return msgspec.json.decode(msgspec.json.encode(value))


# In the model only: where the document came from.
_NOT_IN_JSON = frozenset({"source"})
# Written first, as the collector writes them; every other field follows in the model's order.
_FIRST = ("collected_at", "collector_version")


def dump_snapshot(snapshot: HostSnapshot) -> dict[str, Any]:
    """Every field of the model, by its name: a section the collector did not report (an older
    host) is null, as it was read."""
    names = [*_FIRST, *(n for n in HostSnapshot.__struct_fields__ if n not in _NOT_IN_JSON and n not in _FIRST)]
    return {"schema": SNAPSHOT_SCHEMA, **{name: _plain(getattr(snapshot, name)) for name in names}}
