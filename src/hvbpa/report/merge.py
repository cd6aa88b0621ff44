"""``hvbpa report merge``: sites scanned separately, judged as one run.

Reports carry each host's snapshot, so the partner joins (an off Replica at one
site judged from its primary at another) are made again across all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from hvbpa.errors import InputError
from hvbpa.i18n import Reason
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
    return text


def _origin(host: dict[str, Any]) -> HostOrigin | None:
    """Where the host was named, as its report says (the schema has checked the shape)."""
    origin = host.get("origin")
    return HostOrigin(origin["path"], origin["line"]) if isinstance(origin, dict) else None


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
        for host in document.get("hosts", []):
            outcome = _host(path, host)
            origin = _origin(host)
            if origin is not None:
                named[id(outcome)] = origin
            dated.append((finished, order, outcome))
    newest: dict[str, tuple[str, int, HostOutcome]] = {}
    for entry in dated:
        key = entry[2].target.lower()
        if key not in newest or entry[:2] >= newest[key][:2]:
            newest[key] = entry
    kept = {id(entry[2]) for entry in newest.values()}
    if tls_unverified is not None:
        tls_unverified += [o.target for _, order, o in dated if id(o) in kept and (order, o.target) in unverified]
    if origins is not None:
        origins.update({o.target: named[id(o)] for _, _, o in dated if id(o) in kept and id(o) in named})
    return [o for _, _, o in dated if id(o) in kept], earliest
