"""``hvbpa report merge``: sites scanned separately, judged as one run.

Reports carry each host's snapshot, so the partner joins (an off Replica at one
site judged from its primary at another) are made again across all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from hvbpa.durations import parse_moment
from hvbpa.errors import InputError
from hvbpa.i18n import Reason
from hvbpa.policy import host_identity
from hvbpa.report.formats import HostOrigin
from hvbpa.report.saved import read_report
from hvbpa.snapshot import HostOutcome, HostStatus, SnapshotError, snapshot_from_data


def _why(saved: object) -> Reason | None:
    """A host failure's code from a saved report, so a merged report translates it too."""
    if not isinstance(saved, dict) or not isinstance(saved.get("code"), str):
        return None
    params = saved.get("params")
    return Reason.of(saved["code"], **(params if isinstance(params, dict) else {}))


def _host(report: Path, host: dict[str, Any]) -> HostOutcome:
    try:
        status = HostStatus(host["status"])
    except (KeyError, ValueError):
        raise InputError(f"{report}: host {host.get('target')!r} has an unknown status") from None
    snapshot = None
    if status is HostStatus.OK:
        if not host.get("snapshot"):
            raise InputError(f"{report}: host {host['target']!r} has no snapshot to evaluate again")
        try:
            snapshot = snapshot_from_data(host["snapshot"], str(host["target"]))
        except SnapshotError as exc:
            raise InputError(f"{report}: {exc}") from None
    return HostOutcome(
        target=str(host["target"]),
        status=status,
        snapshot=snapshot,
        reason=host.get("reason") or "",
        why=_why(host.get("why")),
        duration_seconds=float(host.get("duration_seconds") or 0.0),
        requests=host.get("requests"),
    )


def _time(path: Path, document: dict[str, Any], key: str) -> str:
    """run.started or run.finished, checked: the merged run's start is parsed from it."""
    text = str(document["run"][key])
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{path}: run.{key}: {text[:40]!r} is not an ISO 8601 time") from None
    try:
        parse_moment(text)
    except ValueError as exc:
        raise InputError(f"{path}: run.{key}: {exc}") from None
    return text


def _origin(host: dict[str, Any]) -> HostOrigin | None:
    """Where the host was named, as its report says (the schema has checked the shape)."""
    origin = host.get("origin")
    return HostOrigin(origin["path"], origin["line"]) if isinstance(origin, dict) else None


def _same_host(kept: HostOutcome, other: HostOutcome, kept_from: Path, other_from: Path) -> None:
    """One label in two reports is one host scanned twice (the newer counts), unless the two
    snapshots say they are two hosts: then neither may silently replace the other."""
    if kept.snapshot is None or other.snapshot is None:
        return
    first = host_identity(kept.snapshot.host.fqdn, kept.target)
    second = host_identity(other.snapshot.host.fqdn, other.target)
    if first != second:
        raise InputError(
            f"{kept_from} and {other_from} both name a host {other.target!r}, but they are two hosts "
            f"({first}, {second}); scan them with a label each (name= in a hosts file)"
        )


def load_reports(
    paths: Sequence[Path], tls_unverified: list[str] | None = None, origins: dict[str, HostOrigin] | None = None
) -> tuple[list[HostOutcome], str]:
    """Every host of every report; a host in several reports counts once, from the newest report.

    ``tls_unverified`` receives the kept hosts that their report says were scanned without
    certificate validation, so a merged report does not drop that record. ``origins``
    receives where each kept host was named, so a merged report places its results there too.
    """
    dated: list[tuple[str, int, HostOutcome]] = []
    earliest = ""
    unverified: set[tuple[int, str]] = set()
    named: dict[int, HostOrigin] = {}
    for order, path in enumerate(paths):
        document = read_report(path)
        unverified |= {(order, str(name)) for name in document["run"].get("tls_unverified_hosts", [])}
        finished = _time(path, document, "finished")
        started = _time(path, document, "started")
        earliest = min(earliest, started) if earliest else started
        labels: set[str] = set()
        for host in document.get("hosts", []):
            outcome = _host(path, host)
            if outcome.target.casefold() in labels:
                # Written by an hvbpa that let two hosts share a label: one of them would be lost.
                raise InputError(
                    f"{path}: two hosts are named {outcome.target!r}, so merging would lose one; "
                    "scan them again with a label each (name= in a hosts file)"
                )
            labels.add(outcome.target.casefold())
            origin = _origin(host)
            if origin is not None:
                named[id(outcome)] = origin
            dated.append((finished, order, outcome))
    newest: dict[str, tuple[str, int, HostOutcome]] = {}
    for entry in dated:
        key = entry[2].target.casefold()
        if key in newest:
            _same_host(newest[key][2], entry[2], paths[newest[key][1]], paths[entry[1]])
        if key not in newest or entry[:2] >= newest[key][:2]:
            newest[key] = entry
    kept = {id(entry[2]) for entry in newest.values()}
    if tls_unverified is not None:
        tls_unverified += [o.target for _, order, o in dated if id(o) in kept and (order, o.target) in unverified]
    if origins is not None:
        origins.update({o.target: named[id(o)] for _, _, o in dated if id(o) in kept and id(o) in named})
    return [o for _, _, o in dated if id(o) in kept], earliest
