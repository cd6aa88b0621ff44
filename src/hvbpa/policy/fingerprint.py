"""One identity for a finding, shared by SARIF partialFingerprints and baselines.

Built from the rule, the host and the VMId, not the VM's name, so renaming a VM
keeps its finding's identity; host names are case-insensitive on Windows. A finding of a
rule judged per host (no VM) is fingerprinted with an empty VMId.
"""

from __future__ import annotations

import hashlib

# The key under which SARIF carries it; bump the version if the recipe ever changes.
FINGERPRINT_KEY = "hvbpaFinding/v1"


def finding_fingerprint(rule_id: str, host: str, vm_id: str) -> str:
    material = f"{rule_id.upper()}|{host.lower()}|{vm_id.lower()}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
