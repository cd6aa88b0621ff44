"""Baselines: accept today's findings once, and fail CI only on new ones.

A baseline is made from a JSON report (``hvbpa.report/1``) and lists the findings'
fingerprints, the same ones SARIF carries, so a VM keeps its identity through renames.
Findings already excluded are left out: an exclusion can expire, a baseline cannot,
and a baseline must not quietly outlive the exclusion's deadline.
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
from hvbpa.policy.exclusions import exclude_vms
from hvbpa.policy.fingerprint import finding_fingerprint
from hvbpa.strict_json import StrictJSONError, strict_loads

BASELINE_SCHEMA = "hvbpa.baseline/1"
# The label known findings get in place of an exclusion's; the summary counts them apart by it.
BASELINE_LABEL = "baseline "
REPORT_SCHEMA = "hvbpa.report/1"
_ENTRY_KEYS = ("fingerprint", "rule_id", "host", "vm_id", "vm_name")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_LISTED_FIXED = 10  # more would drown the report; the count is always given


@dataclass(frozen=True)
class Finding:
    fingerprint: str
    rule_id: str
    host: str
    vm_id: str
    vm_name: str

    @classmethod
    def of(cls, rule_id: str, host: str, vm_id: str, vm_name: str) -> Finding:
        return cls(finding_fingerprint(rule_id, host, vm_id), rule_id, host, vm_id, vm_name)

    def describe(self) -> str:
        return f"{self.rule_id} on {self.host}/{self.vm_name}"


@dataclass(frozen=True)
class Baseline:
    source: str
    created: str
    entries: tuple[Finding, ...]

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)


class Comparison(NamedTuple):
    known: set[str]  # fingerprints found now and in the baseline
    new: list[Finding]  # found now (and not excluded), not in the baseline
    fixed: list[Finding]  # in the baseline, and judged compliant or gone this run


def _document(entries: Iterable[Finding], created: str) -> dict[str, Any]:
    unique = {e.fingerprint: e for e in entries}
    ordered = sorted(unique.values(), key=lambda e: (e.rule_id, e.host.lower(), e.vm_name.lower(), e.vm_id))
    return {
        "schema": BASELINE_SCHEMA,
        "created": created,
        "fingerprints": [{key: getattr(e, key) for key in _ENTRY_KEYS} for e in ordered],
    }


def create_baseline(report_json: Mapping[str, Any], created: str | None = None) -> dict[str, Any]:
    """The baseline document for a JSON report's current, not excluded, findings."""
    if not isinstance(report_json, Mapping) or report_json.get("schema") != REPORT_SCHEMA:
        raise InputError(f"a baseline is made from a JSON report (schema {REPORT_SCHEMA}, from -o json:FILE)")
    entries: list[Finding] = []
    try:
        for result in report_json["results"]:
            if result.get("excluded_by"):
                continue
            for vm in result["vms"]:
                if vm["status"] == Status.NONCOMPLIANT.value:
                    entries.append(Finding.of(result["rule_id"], result["host"], vm["vm_id"], vm["name"]))
        stamp = created or str(report_json["run"]["finished"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"the JSON report is incomplete or malformed ({exc.__class__.__name__}: {exc})") from None
    return _document(entries, stamp)


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
    if not isinstance(data, dict) or data.get("schema") != BASELINE_SCHEMA:
        raise ConfigError(f"{source}: not a baseline (expected schema {BASELINE_SCHEMA!r})")
    items = data.get("fingerprints")
    if not isinstance(items, list):
        raise ConfigError(f"{source}: 'fingerprints' must be a list")
    entries = []
    for number, item in enumerate(items):
        where = f"{source}: fingerprints[{number}]"
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in _ENTRY_KEYS):
            raise ConfigError(f"{where}: needs string fields {', '.join(_ENTRY_KEYS)}")
        entry = Finding(**{k: item[k] for k in _ENTRY_KEYS})
        # A hand-edited entry would otherwise silently match nothing.
        if not _HEX64.match(entry.fingerprint) or entry != Finding.of(
            entry.rule_id, entry.host, entry.vm_id, entry.vm_name
        ):
            raise ConfigError(f"{where}: fingerprint does not match its rule_id, host and vm_id")
        entries.append(entry)
    return Baseline(source, str(data.get("created", "")), tuple(entries))


def _current(results: Sequence[RuleResult]) -> list[tuple[Finding, bool]]:
    """Each noncompliant VM now, and whether an exclusion already covers it."""
    return [
        (Finding.of(r.rule_id, r.host, vm.vm_id, vm.vm_name), bool(r.excluded_by))
        for r in results
        if r.status is Status.NONCOMPLIANT
        for vm in r.affected
    ]


def compare(results: Sequence[RuleResult], baseline: Baseline) -> Comparison:
    """Known, new and fixed findings. A finding on a host that was not judged is not "fixed"."""
    current = _current(results)
    now = {f.fingerprint for f, _ in current}
    known = now & baseline.fingerprints
    new = [f for f, excluded in current if not excluded and f.fingerprint not in baseline.fingerprints]
    judged = {(r.rule_id, r.host.lower()) for r in results if r.reason is None}
    unsure = {Finding.of(r.rule_id, r.host, vm.vm_id, vm.vm_name).fingerprint for r in results for vm in r.undetermined}
    fixed = [
        e
        for e in baseline.entries
        if e.fingerprint not in now and e.fingerprint not in unsure and (e.rule_id, e.host.lower()) in judged
    ]
    return Comparison(known, new, fixed)


def apply_baseline(results: Sequence[RuleResult], baseline: Baseline) -> tuple[tuple[RuleResult, ...], tuple[str, ...]]:
    """Known findings marked excluded (so only new ones fail the run), and notes on what changed."""
    comparison = compare(results, baseline)
    label = f"{BASELINE_LABEL}{baseline.source}"

    def label_for(result: RuleResult) -> Callable[[VMVerdict], str | None]:
        def label_vm(vm: VMVerdict) -> str | None:
            known = finding_fingerprint(result.rule_id, result.host, vm.vm_id) in comparison.known
            return label if known else None

        return label_vm

    applied = tuple(part for result in results for part in exclude_vms(result, label_for(result)))
    notes = [
        f"{baseline.source}: {len(comparison.known)} known finding(s), {len(comparison.new)} new, "
        f"{len(comparison.fixed)} fixed since the baseline"
    ]
    notes += [f"{baseline.source}: fixed: {e.describe()}" for e in comparison.fixed[:_LISTED_FIXED]]
    if len(comparison.fixed) > _LISTED_FIXED:
        notes.append(f"{baseline.source}: ... and {len(comparison.fixed) - _LISTED_FIXED} more fixed")
    return applied, tuple(notes)


def write_baseline(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
