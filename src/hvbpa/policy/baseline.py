"""Baselines: accept today's findings once, and fail CI only on new ones.

A baseline is made from a JSON report (``hvbpa.report/1`` or ``/2``) and lists the findings'
fingerprints, the same ones SARIF carries, so a VM keeps its identity through renames.
A host-level finding (a rule judged per host) has an empty ``vm_id`` and ``vm_name``.
Findings already excluded are left out: an exclusion can expire, a baseline cannot,
and a baseline must not quietly outlive the exclusion's deadline.

Version 2 (``hvbpa.baseline/2``) names each entry's host by its identity (``host_id``: the
FQDN, or the target; see :mod:`hvbpa.policy.fingerprint`). Version 1 named it by its Windows
name alone, so two hosts named HV01 shared entries. A version 1 baseline is still read: an
entry applies to the one host of this run with its name, and to none when several share it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from hvbpa.errors import ConfigError, InputError
from hvbpa.evaluate import RuleResult, Status, VMVerdict
from hvbpa.policy.exclusions import exclude_host, exclude_vms
from hvbpa.policy.fingerprint import finding_fingerprint, host_identity
from hvbpa.strict_json import StrictJSONError, strict_loads

BASELINE_SCHEMA = "hvbpa.baseline/2"
LEGACY_SCHEMA = "hvbpa.baseline/1"  # hosts by Windows name
# The label known findings get in place of an exclusion's; the summary counts them apart by it.
BASELINE_LABEL = "baseline "
REPORT_SCHEMAS = ("hvbpa.report/1", "hvbpa.report/2")
_ENTRY_KEYS = ("fingerprint", "rule_id", "host", "host_id", "vm_id", "vm_name")
_LEGACY_KEYS = ("fingerprint", "rule_id", "host", "vm_id", "vm_name")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_LISTED_FIXED = 10  # more would drown the report; the count is always given


@dataclass(frozen=True)
class Finding:
    fingerprint: str
    rule_id: str
    host: str  # the Windows name, for readers
    host_id: str  # who the host is: its FQDN, or the target (see hvbpa.policy.fingerprint)
    vm_id: str
    vm_name: str

    @classmethod
    def of(cls, rule_id: str, host: str, host_id: str, vm_id: str, vm_name: str) -> Finding:
        return cls(finding_fingerprint(rule_id, host_id, vm_id), rule_id, host, host_id, vm_id, vm_name)

    def describe(self) -> str:
        host = self.host if self.host_id == self.host.casefold() else f"{self.host} ({self.host_id})"
        if not self.vm_id:
            return f"{self.rule_id} on {host}"
        return f"{self.rule_id} on {host}/{self.vm_name}"


@dataclass(frozen=True)
class Baseline:
    source: str
    created: str
    entries: tuple[Finding, ...]
    legacy: bool = False  # version 1: entries name their host by its Windows name

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)


class Comparison(NamedTuple):
    known: set[str]  # fingerprints found now and in the baseline
    new: list[Finding]  # found now (and not excluded), not in the baseline
    fixed: list[Finding]  # in the baseline, and judged compliant or gone this run


def _document(entries: Iterable[Finding], created: str) -> dict[str, Any]:
    unique = {e.fingerprint: e for e in entries}
    ordered = sorted(unique.values(), key=lambda e: (e.rule_id, e.host.lower(), e.host_id, e.vm_name.lower(), e.vm_id))
    return {
        "schema": BASELINE_SCHEMA,
        "created": created,
        "fingerprints": [{key: getattr(e, key) for key in _ENTRY_KEYS} for e in ordered],
    }


def create_baseline(report_json: Mapping[str, Any], created: str | None = None) -> dict[str, Any]:
    """The baseline document for a JSON report's current, not excluded, findings."""
    if not isinstance(report_json, Mapping) or report_json.get("schema") not in REPORT_SCHEMAS:
        raise InputError(f"a baseline is made from a JSON report (schema {REPORT_SCHEMAS[-1]}, from -o json:FILE)")
    entries: list[Finding] = []
    try:
        identities = _report_identities(report_json["hosts"])
        for result in report_json["results"]:
            if result.get("excluded_by"):
                continue
            rule_id, host = result["rule_id"], result["host"]
            host_id = identities.get(result["target"]) or host_identity(None, str(result["target"]))
            verdict = result.get("verdict")
            if verdict and verdict["status"] == Status.NONCOMPLIANT.value:
                entries.append(Finding.of(rule_id, host, host_id, "", ""))
            for vm in result["vms"]:
                if vm["status"] == Status.NONCOMPLIANT.value and not vm.get("excluded_by"):
                    entries.append(Finding.of(rule_id, host, host_id, vm["vm_id"], vm["name"]))
        stamp = created or str(report_json["run"]["finished"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"the JSON report is incomplete or malformed ({exc.__class__.__name__}: {exc})") from None
    return _document(entries, stamp)


def _report_identities(hosts: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """target -> identity, from a report's hosts: their ``fqdn``, or their snapshot's (older reports)."""
    found: dict[str, str] = {}
    for host in hosts:
        fqdn = host.get("fqdn")
        snapshot = host.get("snapshot")
        if fqdn is None and isinstance(snapshot, Mapping) and isinstance(snapshot.get("host"), Mapping):
            fqdn = snapshot["host"].get("fqdn")
        found[str(host["target"])] = host_identity(fqdn if isinstance(fqdn, str) else None, str(host["target"]))
    return found


def load_baseline(path: Path) -> Baseline:
    source = str(path)
    try:
        content = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{source}: baseline file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read baseline ({exc.__class__.__name__})") from None
    try:
        data = strict_loads(content)
    except StrictJSONError as exc:
        where = f"{source}:{exc.line}" if exc.line else source
        raise ConfigError(f"{where}: not valid JSON: {exc.reason}") from None
    if not isinstance(data, dict) or data.get("schema") not in (BASELINE_SCHEMA, LEGACY_SCHEMA):
        raise ConfigError(f"{source}: not a baseline (expected schema {BASELINE_SCHEMA!r})")
    legacy = data["schema"] == LEGACY_SCHEMA
    keys, identity = (_LEGACY_KEYS, "host") if legacy else (_ENTRY_KEYS, "host_id")
    items = data.get("fingerprints")
    if not isinstance(items, list):
        raise ConfigError(f"{source}: 'fingerprints' must be a list")
    entries = []
    for number, item in enumerate(items):
        where = f"{source}: fingerprints[{number}]"
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in keys):
            raise ConfigError(f"{where}: needs string fields {', '.join(keys)}")
        # Version 1 fingerprinted the Windows name: it stands in for the identity until matched to a host.
        host_id = item["host"].casefold() if legacy else item["host_id"]
        entry = Finding(item["fingerprint"], item["rule_id"], item["host"], host_id, item["vm_id"], item["vm_name"])
        # A hand-edited entry would otherwise silently match nothing.
        recomputed = finding_fingerprint(entry.rule_id, item[identity], entry.vm_id)
        if not _HEX64.match(entry.fingerprint) or entry.fingerprint != recomputed:
            raise ConfigError(f"{where}: fingerprint does not match its rule_id, {identity} and vm_id")
        entries.append(entry)
    return Baseline(source, str(data.get("created", "")), tuple(entries), legacy=legacy)


Identities = Mapping[str, str]  # target -> host identity (hvbpa.policy.fingerprint.host_identities)


def _identity_of(identities: Identities) -> Callable[[RuleResult], str]:
    def identity(result: RuleResult) -> str:
        return identities.get(result.target) or host_identity(None, result.target)

    return identity


def _current(results: Sequence[RuleResult], identity: Callable[[RuleResult], str]) -> list[tuple[Finding, bool]]:
    """Each noncompliant VM (and host, for host-level rules) now, and whether an exclusion already covers it."""
    found = [
        (Finding.of(r.rule_id, r.host, identity(r), vm.vm_id, vm.vm_name), r.accepted_by(vm) is not None)
        for r in results
        if r.status is Status.NONCOMPLIANT
        for vm in r.affected
    ]
    found += [
        (Finding.of(r.rule_id, r.host, identity(r), "", ""), bool(r.excluded_by)) for r in results if r.host_finding
    ]
    return found


def _entries(
    baseline: Baseline, results: Sequence[RuleResult], identity: Callable[[RuleResult], str]
) -> tuple[tuple[Finding, ...], list[str]]:
    """The baseline's entries in this run's identities, and notes on a version 1 baseline.

    A version 1 entry names its host by the Windows name: it applies to the one host of this
    run with that name, and to none when several share it (it cannot say which it meant).
    """
    if not baseline.legacy:
        return baseline.entries, []
    by_name: dict[str, set[str]] = {}
    for result in results:
        by_name.setdefault(result.host.casefold(), set()).add(identity(result))
    entries: list[Finding] = []
    shared: set[str] = set()
    for entry in baseline.entries:
        hosts = by_name.get(entry.host.casefold(), set())
        if len(hosts) > 1:
            shared.add(entry.host)
            continue
        host_id = next(iter(hosts)) if hosts else entry.host_id
        entries.append(Finding.of(entry.rule_id, entry.host, host_id, entry.vm_id, entry.vm_name))
    notes = [
        f"{baseline.source}: made by an earlier hvbpa, it names hosts by their Windows name only; "
        "recreate it with hvbpa baseline create"
    ]
    notes += [
        f"{baseline.source}: {name} is the name of {len(by_name[name.casefold()])} hosts in this run; "
        "its entries apply to none of them"
        for name in sorted(shared)
    ]
    return tuple(entries), notes


def compare(results: Sequence[RuleResult], baseline: Baseline, identities: Identities) -> Comparison:
    """Known, new and fixed findings. A finding on a host that was not judged is not "fixed".

    ``identities``: target -> host identity, from :func:`hvbpa.policy.host_identities` of the run.
    """
    return _compare(results, baseline, _identity_of(identities))[0]


def _compare(
    results: Sequence[RuleResult], baseline: Baseline, identity: Callable[[RuleResult], str]
) -> tuple[Comparison, list[str]]:
    entries, notes = _entries(baseline, results, identity)
    accepted = frozenset(e.fingerprint for e in entries)
    current = _current(results, identity)
    now = {f.fingerprint for f, _ in current}
    known = now & accepted
    new = [f for f, excluded in current if not excluded and f.fingerprint not in accepted]
    judged = {(r.rule_id, identity(r)) for r in results if r.reason is None}
    unsure = {finding_fingerprint(r.rule_id, identity(r), vm.vm_id) for r in results for vm in r.undetermined} | {
        finding_fingerprint(r.rule_id, identity(r), "") for r in results if r.host_undetermined
    }
    fixed = [
        e
        for e in entries
        if e.fingerprint not in now and e.fingerprint not in unsure and (e.rule_id, e.host_id) in judged
    ]
    return Comparison(known, new, fixed), notes


def apply_baseline(
    results: Sequence[RuleResult], baseline: Baseline, identities: Identities
) -> tuple[tuple[RuleResult, ...], tuple[str, ...]]:
    """Known findings marked excluded (so only new ones fail the run), and notes on what changed.

    ``identities``: target -> host identity, from :func:`hvbpa.policy.host_identities` of the run.
    """
    identity = _identity_of(identities)
    comparison, legacy_notes = _compare(results, baseline, identity)
    label = f"{BASELINE_LABEL}{baseline.source}"

    def label_for(result: RuleResult) -> Callable[[VMVerdict], str | None]:
        host_id = identity(result)

        def label_vm(vm: VMVerdict) -> str | None:
            known = finding_fingerprint(result.rule_id, host_id, vm.vm_id) in comparison.known
            return label if known else None

        return label_vm

    def host_label(result: RuleResult) -> str | None:
        return label if finding_fingerprint(result.rule_id, identity(result), "") in comparison.known else None

    applied = tuple(
        exclude_host(result, host_label) if result.verdict else exclude_vms(result, label_for(result))
        for result in results
    )
    notes = [
        *legacy_notes,
        f"{baseline.source}: {len(comparison.known)} known finding(s), {len(comparison.new)} new, "
        f"{len(comparison.fixed)} fixed since the baseline",
    ]
    notes += [f"{baseline.source}: fixed: {e.describe()}" for e in comparison.fixed[:_LISTED_FIXED]]
    if len(comparison.fixed) > _LISTED_FIXED:
        notes.append(f"{baseline.source}: ... and {len(comparison.fixed) - _LISTED_FIXED} more fixed")
    return applied, tuple(notes)


def write_baseline(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
