"""Reading back what ``hvbpa collect`` saved: a snapshot file, or a raw capture of a
host's answer (``--raw``), decoded exactly as a live answer is."""

from __future__ import annotations

from pathlib import Path

from hvbpa.collect.delivery import AnswerError, decode_answer
from hvbpa.errors import InputError
from hvbpa.snapshot import HostOutcome, HostStatus, parse_snapshot


def load_snapshot_file(path: Path) -> HostOutcome:
    """A saved snapshot (JSON) or a raw capture from ``hvbpa collect --raw``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
    try:
        text = decode_answer(data, bare_json=True)
    except AnswerError as exc:
        raise InputError(f"{path}: {exc}") from None
    snapshot = parse_snapshot(text, source=str(path))
    return HostOutcome(target=snapshot.host.name, status=HostStatus.OK, snapshot=snapshot)
