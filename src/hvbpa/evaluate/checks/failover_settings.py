"""The BPA's rules on a Replica VM's failover TCP/IP settings, decided from the VM's settings only.

HVR001 (script rule 230): a Replica VM with a failover address needs the Data Exchange (KVP)
integration service enabled in its settings. Power state, guest data and component status
are not consulted (HVX003 looks at the guest).
HVR015 (script rule 236): a Replica VM should have a failover address.

Both judge Replica and Extended Replica VMs whose replication is not disabled. The script
also counts a VM without any failover setting as "has addresses" (a PowerShell quirk); these
rules follow the titles' intent, at least one real address (docs/bpa-parity.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.guest_failover_ip import failover_addresses, has_failover_address
from hvbpa.evaluate.checks.replication_common import (
    REPLICA_SIDE,
    Replicated,
    per_side,
    reason,
    section_missing,
    verdict,
)
from hvbpa.evaluate.results import Evidence, Finding, Status, finding
from hvbpa.i18n import Reason
from hvbpa.snapshot import KVP_GUID, HostSnapshot


def _addresses_unknown(snapshot: HostSnapshot, facts: Replicated) -> Finding | None:
    """The verdict when the failover settings could not be read (none seen and the section failed)."""
    if snapshot.errors_for("network_adapters", facts.vm.id):
        return verdict(Status.UNDETERMINED, section_missing(snapshot, "network_adapters", facts.vm.id))
    return None


def _kvp_offered(snapshot: HostSnapshot, facts: Replicated) -> Finding | None:
    vm = facts.vm
    if not has_failover_address(vm):
        return _addresses_unknown(snapshot, facts)  # out of scope, unless the settings are unknown

    def finding_of(why: Reason) -> Finding:
        # The addresses that will not be applied, named in the finding only.
        return finding(Status.NONCOMPLIANT, Evidence.OBSERVED, why, None, failover_addresses(vm))

    service = vm.integration_service(KVP_GUID)
    if service is None:
        if snapshot.errors_for("integration_services", vm.id):
            return verdict(Status.UNDETERMINED, section_missing(snapshot, "integration_services", vm.id))
        # The BPA counts a VM without the setting as not offered.
        return finding_of(reason("kvp-setting-missing"))
    if not service.enabled:
        return finding_of(reason("kvp-disabled"))
    return verdict(Status.COMPLIANT, reason("kvp-enabled"))


@register("failover_ip_needs_integration_services")
def kvp_for_failover_address(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, REPLICA_SIDE, _kvp_offered)


def _has_address(snapshot: HostSnapshot, facts: Replicated) -> Finding | None:
    count = sum(len(a.failover.addresses) for a in facts.vm.network_adapters if a.failover is not None)
    if count:
        return verdict(Status.COMPLIANT, reason("failover-address-set", ("count", count)))
    unknown = _addresses_unknown(snapshot, facts)
    if unknown is not None:
        return unknown
    return verdict(Status.NONCOMPLIANT, reason("no-failover-address"))


@register("replica_has_failover_address")
def failover_address_configured(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, REPLICA_SIDE, _has_address)
