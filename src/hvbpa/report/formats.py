"""Report formatters behind one interface, looked up by name.

Each formatter module is imported only when its format is asked for, so the CLI
starts without rich, XML or CSV machinery loaded.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from hvbpa.evaluate import Rule, Run, VMVerdict
from hvbpa.i18n import reason_text, text
from hvbpa.policy import host_identities, host_identity
from hvbpa.snapshot import HostOutcome
from hvbpa.visible import RAW_IN_JSON


def json_text(document: object) -> str:
    """A report as JSON text in which no control character appears raw, even inside a string."""
    import json

    text = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    return RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# Replication modes whose partner is the primary; a VM in any other mode is judged from its Replica.
_REPLICA_MODES = ("replica", "extendedreplica", "testreplica")


@dataclass(frozen=True)
class HostOrigin:
    """Where a host was named: its hosts file, inventory or snapshot file, and the line.

    Reports place a host's results there (SARIF's physical location); a host named on the
    command line has none.
    """

    path: str  # as the user named the file
    line: int = 1


@dataclass(frozen=True)
class ReportContext:
    run: Run
    rules: tuple[Rule, ...]
    tool_version: str
    lang: str = "en"
    fail_on: str = "warning"
    exit_code: int = 0
    show_excluded: bool = False
    json_snapshots: bool = True  # the JSON report carries each host's snapshot
    color: bool = False
    width: int | None = None
    notes: tuple[str, ...] = field(default=())  # e.g. expired exclusions, baseline changes
    # Targets scanned without checking the host's TLS certificate (--insecure-skip-tls-verify,
    # or an inventory's ansible_winrm_server_cert_validation=ignore): never silent.
    tls_unverified: tuple[str, ...] = field(default=())
    origins: Mapping[str, HostOrigin] = field(default_factory=dict)  # target -> where it was named

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    @functools.cached_property
    def labels(self) -> dict[str, str]:
        """target -> how reports name the host (see :func:`host_labels`)."""
        return host_labels(self.run.hosts)

    def label(self, target: str, host: str) -> str:
        return self.labels.get(target, host)

    @functools.cached_property
    def identities(self) -> dict[str, str]:
        """target -> who the host is: its FQDN, or the target (fingerprints, baselines)."""
        return host_identities(self.run.hosts)

    def identity(self, target: str) -> str:
        return self.identities.get(target) or host_identity(None, target)


def host_labels(hosts: Sequence[HostOutcome]) -> dict[str, str]:
    """target -> the name reports show for a host: its Windows name, and where two hosts of the
    run share it, their identity beside it (``HV01 (hv01.contoso.com)``), so no two read alike."""
    identities = host_identities(hosts)
    names = Counter(h.host_name.casefold() for h in {h.target: h for h in hosts}.values())
    labels: dict[str, str] = {}
    for host in hosts:
        name = host.host_name
        labels[host.target] = f"{name} ({identities[host.target]})" if names[name.casefold()] > 1 else name
    return labels


def vm_message_parts(vm: VMVerdict, lang: str) -> list[str]:
    """Why a VM got its verdict, as every format says it: a partner's evidence is named first,
    so an off Replica never reads as if it had been running itself."""
    why = reason_text(vm.reason, lang)
    if vm.inferred_from:
        role = "inferred_primary" if vm.replication_mode.lower() in _REPLICA_MODES else "inferred_replica"
        why = text(role, lang, partner=vm.inferred_from, why=why)
    parts = [why]
    if vm.failover_addresses:
        parts.append(text("failover_not_applied", lang, addresses=", ".join(vm.failover_addresses)))
    return parts


def vm_message(vm: VMVerdict, lang: str) -> str:
    return "; ".join(vm_message_parts(vm, lang))


Formatter = Callable[[ReportContext], str]

# format name -> "module:function"; a registry of names feeds click.Choice without imports.
FORMATS: dict[str, str] = {
    "table": "hvbpa.report.table:render",
    "json": "hvbpa.report.json_report:render",
    "sarif": "hvbpa.report.sarif:render",
    "junit": "hvbpa.report.junit:render",
    "csv": "hvbpa.report.csv_report:render",
}


def formatter(name: str) -> Formatter:
    module, _, function = FORMATS[name].partition(":")
    found: Formatter = getattr(import_module(module), function)
    return found
