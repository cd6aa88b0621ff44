"""One identity for a finding, shared by SARIF partialFingerprints and baselines.

Built from the rule, the host's identity and the VMId, not the VM's name, so renaming a VM
keeps its finding's identity. A host is its FQDN when it is in a domain: two hosts named
HV01 in two domains are two hosts, whose findings and baseline entries must never mix. A host
with no domain is the target as the user named it (two workgroup hosts may share a name too).
Names are case-insensitive on Windows. A finding of a rule judged per host (no VM) is
fingerprinted with an empty VMId.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from hvbpa.snapshot import HostOutcome

# The key under which SARIF carries it; bumped when the recipe changed (v1 used the Windows name).
FINGERPRINT_KEY = "hvbpaFinding/v2"


def finding_fingerprint(rule_id: str, host_id: str, vm_id: str) -> str:
    material = f"{rule_id.upper()}|{host_id.lower()}|{vm_id.lower()}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def host_identity(fqdn: str | None, target: str) -> str:
    """Who a host is wherever identity matters: its FQDN in a domain, else the target."""
    name = (fqdn or "").strip().rstrip(".")
    return (name if "." in name else target).casefold()


def host_identities(hosts: Iterable[HostOutcome]) -> dict[str, str]:
    """target -> identity, for every host of a run (a failed host is its target)."""
    return {h.target: host_identity(h.snapshot.host.fqdn if h.snapshot else None, h.target) for h in hosts}
