"""The settings a run passes to every check: the thresholds an admin may tune."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EvaluationOptions:
    grace_period_seconds: float = 600.0
    # Business hours (host local time, seconds since midnight) that a resynchronization
    # window must stay out of (HVR010).
    business_hours: tuple[int, int] = (8 * 3600, 18 * 3600)
    # HVX001: replication is behind when the last one is older than
    # max(lag_floor_seconds, lag_factor x the replication frequency).
    lag_floor_seconds: float = 3600.0
    lag_factor: float = 12.0
    # HVX002: how soon a certificate's expiry is worth a warning.
    certificate_warning_days: float = 30.0
