"""How collection from one host ended: its snapshot, or a failure as a value.

Crosses from collection (and scan worker processes) to evaluation and reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hvbpa.i18n import Reason, nest, reason_text
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
    reason: str = ""  # in English; ``why`` says it in any language
    duration_seconds: float = 0.0
    requests: int | None = None
    why: Reason | None = None  # the failure as a code, for translated reports

    def not_collected(self) -> Reason:
        """Why this host has no verdicts: its status and failure, translatable as one reason."""
        return nest("host-not-collected", self.why, status=self.status.value, why=self.reason)

    def reason_in(self, lang: str) -> str:
        """The failure in ``lang``: the same sentence in every report format."""
        return reason_text(self.why, lang) if self.why is not None else self.reason

    @property
    def host_name(self) -> str:
        return self.snapshot.host.name if self.snapshot else self.target
