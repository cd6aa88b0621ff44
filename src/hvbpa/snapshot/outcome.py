"""How collection from one host ended: its snapshot, or a failure as a value.

Crosses from collection (and scan worker processes) to evaluation and reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hvbpa.snapshot.model import HostSnapshot


class HostStatus(StrEnum):
    """How collection from a host ended. Everything but OK makes the run incomplete."""

    OK = "ok"
    UNREACHABLE = "unreachable"
    AUTH_FAILED = "auth_failed"
    TLS_ERROR = "tls_error"
    WINRM_FAULT = "winrm_fault"
    SCRIPT_FAILED = "script_failed"
    BAD_OUTPUT = "bad_output"
    TIMED_OUT = "timed_out"
    INTERRUPTED = "interrupted"
    INTERNAL_ERROR = "internal_error"  # a fault in hvbpa itself, reported for this host alone


@dataclass(frozen=True, slots=True)
class HostOutcome:
    """One host's collection: a snapshot, or a failure with a one-line reason."""

    target: str  # what the user named (host, host:port)
    status: HostStatus
    snapshot: HostSnapshot | None = None
    reason: str = ""
    duration_seconds: float = 0.0
    requests: int | None = None

    @property
    def host_name(self) -> str:
        return self.snapshot.host.name if self.snapshot else self.target
