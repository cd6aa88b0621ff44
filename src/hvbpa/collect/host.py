"""Collect one host: deliver the script, run it, and turn its answer into a snapshot."""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass, replace

from hvbpa.collect.bounds import MAX_ANSWER_BYTES, BoundError, check_bounds
from hvbpa.collect.delivery import LANGUAGE_MODE_EXIT, AnswerError, decode_answer, language_mode, plan_delivery
from hvbpa.collect.raw import RawResult
from hvbpa.collect.script import collection_script
from hvbpa.collect.settings import ConnectionSettings, Secret
from hvbpa.errors import InputError
from hvbpa.i18n import Reason, reason_text
from hvbpa.snapshot import HostOutcome, HostSnapshot, HostStatus, SnapshotError, json_problem, snapshot_from_data
from hvbpa.strict_json import StrictJSONError, strict_loads
from hvbpa.targets import Target

# What an inventory entry may set for its own host.
_PER_TARGET = (
    "port",
    "transport",
    "scheme",
    "username",
    "server_cert_validation",
    "ca_trust_path",
    "cert_pem",
    "cert_key_pem",
    "kerberos_hostname",
    "kerberos_service",
    "kerberos_managed",
)


def settings_for(target: Target, base: ConnectionSettings) -> ConnectionSettings:
    """The run's settings with what the target's own entry (inventory variables) says."""
    changes: dict[str, object] = {}
    for name in _PER_TARGET:
        value = getattr(target, name)
        if value is not None:
            changes[name] = value
    if target.password is not None:
        changes["password"] = Secret(target.password)
    return replace(base, **changes) if changes else base  # type: ignore[arg-type]


@dataclass(frozen=True)
class Collected:
    outcome: HostOutcome
    stdout: bytes  # untouched, for ``hvbpa collect --raw``


def fetch_host(
    target: Target,
    settings: ConnectionSettings,
    *,
    cancel: threading.Event | None = None,
    script: str | None = None,
) -> RawResult:
    """Run the collection script on one host; the answer comes back unparsed."""
    from hvbpa.collect.wsman import run_delivery

    effective = settings_for(target, settings)
    return run_delivery(target.address, effective, plan_delivery(script or collection_script()), cancel=cancel)


def interpret(target: Target, raw: RawResult) -> Collected:
    """A host's answer as a snapshot, or the reason it is not one."""

    def outcome(status: HostStatus, why: Reason | None = None, snapshot: HostSnapshot | None = None) -> Collected:
        return Collected(
            HostOutcome(
                target=target.name,
                status=status,
                snapshot=snapshot,
                reason=reason_text(why) if why else "",
                duration_seconds=raw.duration,
                requests=raw.requests,
                why=why,
            ),
            raw.stdout,
        )

    mode = language_mode(raw.stdout) if raw.exit_code == LANGUAGE_MODE_EXIT else None
    if mode is not None:
        return outcome(HostStatus.SCRIPT_FAILED, Reason.of("host-language-mode", mode=mode))
    if raw.status is not HostStatus.OK:
        return outcome(raw.status, raw.why or Reason.of("host-request-failed", detail=raw.reason))
    try:
        snapshot = parse_answer(decode_answer(raw.stdout, limit=MAX_ANSWER_BYTES), target.name)
    except (AnswerError, InputError) as exc:
        return outcome(HostStatus.BAD_OUTPUT, Reason.of("host-bad-output", detail=str(exc)))
    except BoundError as exc:
        return outcome(HostStatus.BAD_OUTPUT, Reason.of("host-over-bound", detail=str(exc)))
    return outcome(HostStatus.OK, snapshot=snapshot)


def parse_answer(document: str, source: str) -> HostSnapshot:
    """A live host's snapshot, within what one host may cost (see :mod:`hvbpa.collect.bounds`)."""
    document = document.lstrip("\ufeff")
    collecting = gc.isenabled()
    gc.disable()  # as parse_snapshot does: many new containers, no cycles among them
    try:
        try:
            data = strict_loads(document)
        except StrictJSONError as exc:
            raise SnapshotError(source, json_problem(exc.decode, document) if exc.decode else str(exc)) from None
        check_bounds(data)
        return snapshot_from_data(data, source)
    finally:
        if collecting:
            gc.enable()


def collect_host(
    target: Target,
    settings: ConnectionSettings,
    *,
    cancel: threading.Event | None = None,
    script: str | None = None,
) -> Collected:
    return interpret(target, fetch_host(target, settings, cancel=cancel, script=script))


def failed_outcome(target: str, status: HostStatus, why: Reason) -> HostOutcome:
    return HostOutcome(target, status, reason=reason_text(why), why=why)


def failed_internally(target: Target, exc: BaseException) -> Collected:
    """A bug in hvbpa while handling one host: that host's result, not the end of the scan."""
    detail = " ".join(f"{exc.__class__.__name__}: {exc}".split())[:250]
    return Collected(
        failed_outcome(target.name, HostStatus.INTERNAL_ERROR, Reason.of("host-internal", detail=detail)), b""
    )
