"""What came back from one host before any parsing: a value that crosses from the
WinRM stage (and from scan worker processes) to interpretation."""

from __future__ import annotations

from dataclasses import dataclass

from hvbpa.i18n import Reason
from hvbpa.snapshot import HostStatus


@dataclass(frozen=True)
class RawResult:
    """What came back from one host, before any parsing."""

    status: HostStatus
    reason: str = ""
    stdout: bytes = b""
    stderr: bytes = b""
    exit_code: int | None = None
    requests: int = 0
    duration: float = 0.0
    why: Reason | None = None  # ``reason`` as a translatable code
