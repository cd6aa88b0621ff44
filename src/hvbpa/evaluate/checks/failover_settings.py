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
from hvbpa.evaluate.checks.guest_failover_ip import failover_addresses
from hvbpa.evaluate.checks.replication_common import REPLICA_SIDE, Replicated, per_side, reason, section_missing
from hvbpa.evaluate.results import Evidence, Status, VMVerdict, finding
from hvbpa.i18n import Reason
from hvbpa.snapshot import KVP_GUID, HostSnapshot


def _addresses_unknown(snapshot: HostSnapshot, facts: Replicated) -> VMVerdict | None:
    """The verdict when the failover settings could not be read (none seen and the section failed)."""
    if snapshot.errors_for("network_adapters", facts.vm.id):
        return VMVerdict.of(
            facts.who,
            finding(Status.UNDETERMINED, Evidence.UNKNOWN, section_missing(snapshot, "network_adapters", facts.vm.id)),
        )
    return None


def _kvp_offered(snapshot: HostSnapshot, facts: Replicated) -> VMVerdict | None:
    vm = facts.vm
    addresses = failover_addresses(vm)
    if not addresses:
        return _addresses_unknown(snapshot, facts)  # out of scope, unless the settings are unknown

    def make(status: Status, why: Reason) -> VMVerdict:
        shown = addresses if status is Status.NONCOMPLIANT else ()
        evidence = Evidence.UNKNOWN if status is Status.UNDETERMINED else Evidence.OBSERVED
        return VMVerdict.of(facts.who, finding(status, evidence, why, None, shown))

    service = vm.integration_service(KVP_GUID)
    if service is None:
        if snapshot.errors_for("integration_services", vm.id):
            return make(Status.UNDETERMINED, section_missing(snapshot, "integration_services", vm.id))
        # The BPA counts a VM without the setting as not offered.
        return make(Status.NONCOMPLIANT, reason("kvp-setting-missing"))
    if not service.enabled:
        return make(Status.NONCOMPLIANT, reason("kvp-disabled"))
    return make(Status.COMPLIANT, reason("kvp-enabled"))


@register("failover_ip_needs_integration_services")
def kvp_for_failover_address(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, REPLICA_SIDE, _kvp_offered)


def _has_address(snapshot: HostSnapshot, facts: Replicated) -> VMVerdict | None:
    addresses = failover_addresses(facts.vm)
    if addresses:
        return VMVerdict.of(
            facts.who,
            finding(Status.COMPLIANT, Evidence.OBSERVED, reason("failover-address-set", ("count", len(addresses)))),
        )
    unknown = _addresses_unknown(snapshot, facts)
    if unknown is not None:
        return unknown
    return VMVerdict.of(facts.who, finding(Status.NONCOMPLIANT, Evidence.OBSERVED, reason("no-failover-address")))


@register("replica_has_failover_address")
def failover_address_configured(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, REPLICA_SIDE, _has_address)
