"""Reading back what ``hvbpa collect`` saved: a snapshot file, or a raw capture of a
host's answer (``--raw``), decoded exactly as a live answer is."""

from __future__ import annotations

from pathlib import Path

from hvbpa.collect.delivery import OUTPUT_MARKER, AnswerError, decode_answer
from hvbpa.errors import InputError
from hvbpa.snapshot import HostOutcome, HostStatus, SnapshotError, parse_snapshot


def load_snapshot_file(path: Path) -> HostOutcome:
    """A saved snapshot (JSON) or a raw capture from ``hvbpa collect --raw``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    try:
        text = decode_answer(data, bare_json=True)
    except AnswerError as exc:
        if OUTPUT_MARKER.encode() in data:
            raise InputError(f"{path}: a raw capture, but {exc}") from None
        if data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{"):
            raise InputError(f"{path}: not a snapshot file: {exc}") from None  # JSON, but not UTF-8
        start = " ".join(data[:40].decode("utf-8", errors="replace").split())
        raise InputError(f"{path}: not a snapshot file or a raw capture (it begins {start!r})") from None
    if '"hvbpa.report/' in text[:400]:
        raise InputError(f"{path}: a JSON report, not a snapshot file: to judge it again, hvbpa report merge {path}")
    try:
        snapshot = parse_snapshot(text, source=str(path))
    except SnapshotError as exc:
        # The file is what the user named; the host inside it, once known, helps find the field.
        if exc.source != str(path):
            raise InputError(f"{path}: the snapshot of host {exc.source!r} is invalid: {exc.detail}") from None
        raise InputError(f"{path}: not a snapshot file: {exc.detail}") from None
    return HostOutcome(target=snapshot.host.name, status=HostStatus.OK, snapshot=snapshot)
