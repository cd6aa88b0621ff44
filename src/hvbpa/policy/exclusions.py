"""Accepted findings: a TOML file of ``[[exclusion]]`` tables, each with a justification.

    [[exclusion]]
    rule = "HVR001"
    host = "HV0*"             # fnmatch pattern, case-insensitive; default "*"
    vm_id = "44ab73ce-..."    # or vm = "app01" (a pattern too); vm = "*" for every VM
    justification = "appliance without integration services; vendor ticket 4411"
    expires = 2026-10-01      # optional: a date (00:00 UTC that day) or a datetime

``host`` matches the host's Windows name, its FQDN (the identity reports use for hosts in
a domain) or the target as named, so ``host = "hv01.contoso.com"`` tells apart two hosts
named HV01.

A rule judged per host (no VM list, e.g. HVR008) is excluded by an entry without
``vm`` and ``vm_id`` (or with ``vm = "*"``); for the other rules a VM must be named,
so that a forgotten ``vm`` is an error rather than an exclusion of nothing::

    [[exclusion]]
    rule = "HVR008"
    host = "HV-DR-*"
    justification = "isolated lab Replica servers accept any primary by design"

An exclusion silences a finding, never blindness: a VM or host that could not be
judged stays undetermined. When ``vm_id`` is given it alone decides, so an exclusion
follows a VM through renames; ``vm`` beside it is then only a label for readers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from hvbpa.config import key_line, read_toml
from hvbpa.errors import ConfigError
from hvbpa.evaluate import RuleResult, Status, VMVerdict

_KEYS = {"rule", "host", "vm", "vm_id", "justification", "expires"}
_RULE_ID = re.compile(r"^[A-Za-z]{2,8}[0-9]{3,4}$")
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_HEADER = re.compile(r"^\s*\[\[\s*exclusion\s*\]\]")


@dataclass(frozen=True)
class Exclusion:
    rule: str
    justification: str
    host: str = "*"
    vm: str | None = None
    vm_id: str | None = None
    expires: datetime | None = None
    expires_text: str = ""  # as written, for messages
    source: str = ""
    line: int = 0

    @property
    def origin(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    @property
    def label(self) -> str:
        """What a report shows as ``excluded_by``."""
        return f"{self.origin}: {self.justification}"

    @property
    def scope(self) -> str:
        if self.vm is None and self.vm_id is None:
            return self.host
        return f"{self.host}/{self.vm or self.vm_id}"

    def expired(self, now: datetime) -> bool:
        return self.expires is not None and self.expires < now

    def _rule_and_host(self, result: RuleResult, identity: str = "") -> bool:
        if result.rule_id.upper() != self.rule:
            return False
        host = self.host.lower()
        names = (result.host.lower(), result.target.lower(), identity)
        return any(fnmatchcase(name, host) for name in names if name)

    def matches_host(self, result: RuleResult, identity: str = "") -> bool:
        """For a host-level result: an entry that names no VM, or every VM."""
        return (self.vm_id is None and self.vm in (None, "*")) and self._rule_and_host(result, identity)

    def matches(self, result: RuleResult, vm: VMVerdict, identity: str = "") -> bool:
        if self.vm is None and self.vm_id is None:
            return False  # a host-level entry
        if not self._rule_and_host(result, identity):
            return False
        if self.vm_id is not None:
            return vm.vm_id.lower() == self.vm_id
        assert self.vm is not None
        name, pattern = vm.vm_name.casefold(), self.vm.casefold()
        # Exact first: VM names may contain [ ] that fnmatch would read as a character class.
        return name == pattern or fnmatchcase(name, pattern)


# --- loading ---------------------------------------------------------------------------


def _expiry(value: object, fail: Callable[[str], ConfigError]) -> tuple[datetime, str]:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment, value.isoformat()
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=UTC), value.isoformat()
    raise fail(f"'expires' must be a TOML date (2026-10-01) or date-time, got {type(value).__name__}")


def _parse_entry(
    entry: dict[str, Any],
    fail: Callable[[str, str | None], ConfigError],
    rule_ids: Collection[str] | None,
    host_rules: Collection[str] = (),
) -> dict[str, Any]:
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})", unknown[0])
    for key in ("rule", "justification"):
        if key not in entry:
            raise fail(f"missing {key!r}", None)
    for key in ("rule", "host", "vm", "vm_id", "justification"):
        if key in entry and not (isinstance(entry[key], str) and entry[key].strip()):
            raise fail(f"{key!r} must be a non-empty string", key)
    rule = entry["rule"].strip().upper()
    if not _RULE_ID.match(rule):
        raise fail(f"rule {entry['rule']!r} is not a rule id like HVR001", "rule")
    if rule_ids is not None and rule not in rule_ids:
        raise fail(f"unknown rule {rule} (known: {', '.join(sorted(rule_ids))})", "rule")
    if "vm" not in entry and "vm_id" not in entry and rule not in host_rules:
        raise fail("name the VM with 'vm' or 'vm_id' (or vm = \"*\" for every VM)", None)
    parsed: dict[str, Any] = {
        "rule": rule,
        "justification": " ".join(entry["justification"].split()),
        "host": entry.get("host", "*").strip(),
        "vm": entry["vm"].strip() if "vm" in entry else None,
    }
    if "vm_id" in entry:
        guid = _GUID.match(entry["vm_id"].strip())
        if not guid:
            raise fail(f"vm_id {entry['vm_id']!r} is not a GUID", "vm_id")
        parsed["vm_id"] = guid.group(1).lower()
    if "expires" in entry:
        parsed["expires"], parsed["expires_text"] = _expiry(entry["expires"], lambda why: fail(why, "expires"))
    return parsed


def load_exclusions(
    path: Path, *, rule_ids: Collection[str] | None = None, host_rules: Collection[str] = ()
) -> tuple[Exclusion, ...]:
    """Every exclusion in ``path``; any mistake is a ConfigError naming file and line.

    With ``rule_ids``, an exclusion for a rule that does not exist is a mistake too:
    a typo would otherwise silently exclude nothing. ``host_rules`` are the rules judged
    per host, whose entries need not name a VM.
    """
    source = str(path)
    data, content = read_toml(Path(path), "exclusions file")
    lines = content.splitlines()
    unknown = sorted(set(data) - {"exclusion"})
    if unknown:
        line = key_line(lines, unknown[0]) or 1
        raise ConfigError(f"{source}:{line}: unknown key {unknown[0]!r}: write [[exclusion]] tables")
    entries = data.get("exclusion", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{source}: 'exclusion' must be [[exclusion]] tables")
    headers = [n for n, text in enumerate(lines) if _HEADER.match(text)]
    if len(headers) != len(entries):
        headers = []  # written as an inline array: there are no header lines to point at
    found: list[Exclusion] = []
    for number, entry in enumerate(entries):
        start = headers[number] if headers else 0
        end = headers[number + 1] if number + 1 < len(headers) else len(lines)

        def fail(why: str, key: str | None, start: int = start, end: int = end, number: int = number) -> ConfigError:
            if not headers:
                return ConfigError(f"{source}: exclusion #{number + 1}: {why}")
            line = (key_line(lines, key, start, end) if key else 0) or start + 1
            return ConfigError(f"{source}:{line}: {why}")

        parsed = _parse_entry(entry, fail, rule_ids, host_rules)
        found.append(Exclusion(**parsed, source=source, line=start + 1 if headers else 0))
    return tuple(found)


# --- applying --------------------------------------------------------------------------


def exclude_vms(result: RuleResult, label_for: Callable[[VMVerdict], str | None]) -> RuleResult:
    """Mark the affected VMs that ``label_for`` labels as accepted.

    One result per (rule, host), whatever is accepted: each accepted VM carries its label
    (``accepted``); once every finding is accepted the result is ``excluded_by`` them all,
    otherwise the rest keep failing the run. Findings accepted earlier (an exclusion, before
    the baseline) keep their label.
    """
    if result.status is not Status.NONCOMPLIANT or result.excluded_by:
        return result
    accepted = dict(result.accepted)
    for vm in result.affected:
        if vm.vm_id not in accepted:
            label = label_for(vm)
            if label:
                accepted[vm.vm_id] = label
    if len(accepted) == len(result.accepted):
        return result
    everything = all(vm.vm_id in accepted for vm in result.affected)
    excluded_by = "; ".join(dict.fromkeys(accepted[vm.vm_id] for vm in result.affected)) if everything else None
    return replace(result, accepted=tuple(accepted.items()), excluded_by=excluded_by)


def apply_exclusions(
    results: Sequence[RuleResult],
    exclusions: Sequence[Exclusion],
    now: datetime,
    identities: Mapping[str, str] | None = None,
) -> tuple[tuple[RuleResult, ...], tuple[str, ...]]:
    """Results with matching findings marked ``excluded_by``, and notes on expired exclusions.

    An expired exclusion no longer applies, so its findings fail the run again; the
    note says why they came back. ``identities`` (target -> FQDN or target) lets an entry
    name a host by its FQDN.
    """
    known = identities or {}
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    active = [e for e in exclusions if not e.expired(now)]
    notes = tuple(
        f"{e.origin}: exclusion for {e.rule} on {e.scope} expired on {e.expires_text}"
        for e in exclusions
        if e.expired(now)
    )

    def label_for(result: RuleResult) -> Callable[[VMVerdict], str | None]:
        identity = known.get(result.target, "")

        def label(vm: VMVerdict) -> str | None:
            return next((e.label for e in active if e.matches(result, vm, identity)), None)

        return label

    def host_label(result: RuleResult) -> str | None:
        identity = known.get(result.target, "")
        return next((e.label for e in active if e.matches_host(result, identity)), None)

    applied = tuple(
        exclude_host(result, host_label) if result.verdict else exclude_vms(result, label_for(result))
        for result in results
    )
    return applied, notes


def unmatched_exclusions(
    results: Sequence[RuleResult],
    exclusions: Sequence[Exclusion],
    now: datetime,
    identities: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """One note per active exclusion that accepted nothing in this run: a typo in a rule, host
    or VM, or a finding since fixed. Not said of an entry whose rule did not run (--rule,
    --skip-rule) or whose hosts could not all be judged (failed, undetermined): it may still apply.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    known = identities or {}
    ran = {r.rule_id.upper() for r in results}
    notes = []
    for exclusion in exclusions:
        if exclusion.expired(now) or exclusion.rule not in ran:
            continue
        hosts = [r for r in results if exclusion._rule_and_host(r, known.get(r.target, ""))]
        if any(_accepts(exclusion, r, known.get(r.target, "")) for r in hosts):
            continue
        if any(r.reason is not None or r.status is Status.UNDETERMINED for r in hosts):
            continue  # could not judge there: the finding may still exist
        why = "no finding matches it" if hosts else f"no host of this run matches host {exclusion.host!r}"
        notes.append(f"{exclusion.origin}: exclusion for {exclusion.rule} on {exclusion.scope} accepted nothing: {why}")
    return tuple(notes)


def _accepts(exclusion: Exclusion, result: RuleResult, identity: str) -> bool:
    if result.verdict is not None:
        return result.host_finding and exclusion.matches_host(result, identity)
    return any(exclusion.matches(result, vm, identity) for vm in result.affected)


def exclude_host(result: RuleResult, label_for: Callable[[RuleResult], str | None]) -> RuleResult:
    """A host-level finding marked excluded when ``label_for`` labels it (undetermined ones never are)."""
    if not result.host_finding or result.excluded_by:
        return result
    label = label_for(result)
    return replace(result, excluded_by=label) if label else result
