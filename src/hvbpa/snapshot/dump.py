"""A parsed snapshot back to its JSON form (enums as integers), so reports can carry
the data they were judged on and ``hvbpa report merge`` can judge it again."""

from __future__ import annotations

from dataclasses import asdict, fields, is_dataclass
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


def dump_snapshot(snapshot: HostSnapshot) -> dict[str, Any]:
    return {
        "schema": SNAPSHOT_SCHEMA,
        "collected_at": snapshot.collected_at,
        "collector_version": snapshot.collector_version,
        "host": asdict(snapshot.host),
        "vms": _plain(snapshot.vms),
        "errors": [asdict(e) for e in snapshot.errors],
        # Host-level sections: null when the collector did not report them (older hosts).
        "replication_server": _plain(snapshot.replication_server),
        "cluster_resources": None if snapshot.cluster_resources is None else _plain(snapshot.cluster_resources),
    }
