"""Differential test: random hosts judged by the engine and by a deliberately simple restatement
of Microsoft's BPA discovery script (``/shared/docs/bpa-replication-logic.md``, rule by rule).

The restatement below is written from that table alone, as plainly as possible, and shares no
code with ``hvbpa.evaluate``. For every HVR rule the two must list the same VMs (or hosts, ports,
trust groups) as non-compliant. Generated hosts report every value, so the engine never needs to
say "could not determine"; the only interpretation is the one the docs state: a VM "has failover
addresses" when an adapter's failover settings hold at least one IPv4 or IPv6 address (the
script's quirk of counting a VM without settings is not followed), and the VSS status is the VM's
own (the script reads the host's first component).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvbpa.evaluate import load_rules
from hvbpa.evaluate.engine import evaluate
from hvbpa.evaluate.results import Status
from hvbpa.snapshot import (
    KVP_GUID,
    VM,
    VSS_GUID,
    AuthenticationType,
    Certificate,
    ClusterResource,
    HostOutcome,
    HostSnapshot,
    HostStatus,
    QosPolicy,
    Relationship,
    RelationshipType,
    ReplicationMode,
    ReplicationServer,
    ReplicationState,
    VMState,
)
from hvbpa.snapshot.model import (
    AuthorizationEntry,
    FailoverConfig,
    HostFacts,
    IntegrationService,
    NetworkAdapter,
    Replication,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
COLLECTED = "2026-11-25T12:00:00Z"
NEVER = "1601-01-01T00:00:00Z"
RULES = tuple(r for r in load_rules() if r.from_bpa)
SERVER_AUTH = "1.3.6.1.5.5.7.3.1"

# --------------------------------------------------------------------------------------------
# Random hosts
# --------------------------------------------------------------------------------------------

# Weighted towards what the rules judge, so that each branch is reached often.
MODES = st.sampled_from([*ReplicationMode, ReplicationMode.PRIMARY, ReplicationMode.PRIMARY, ReplicationMode.REPLICA])
STATES = st.sampled_from(list(ReplicationState))
POWER = st.sampled_from([VMState.RUNNING, VMState.RUNNING, VMState.OFF, VMState.SAVED, VMState.PAUSED])
HOURS = st.integers(0, 23)
TIMES = st.sampled_from(
    [NEVER, "2026-11-20T08:00:00Z", "2026-10-25T12:00:00Z", "2026-10-25T12:00:01Z", "2026-06-01T00:00:00Z"]
)
PATHS = st.sampled_from(["D:\\VMs\\a.vhdx", "D:\\VMs\\b.VHDX", "D:\\VMs\\c.vhd", "D:\\VMs\\d.avhdx"])
PORTS = st.sampled_from([80, 443, 8080])


@st.composite
def relationships(draw: st.DrawFn, mode: ReplicationMode) -> tuple[Relationship, ...]:
    start = draw(st.integers(0, 86399))
    end = draw(
        st.sampled_from(
            [start, (start + 12 * 3600) % 86400, (start + 12 * 3600 + 60) % 86400, draw(st.integers(0, 86399))]
        )
    )
    replicated = draw(st.lists(PATHS, min_size=1, max_size=3))
    simple = Relationship(
        type=RelationshipType.SIMPLE,
        mode=mode,
        state=draw(STATES),
        health=None,
        primary_server="pri.example.test",
        replica_server="rep.example.test",
        current_replica_server=None,
        frequency_seconds=300,
        compression_enabled=draw(st.booleans()),
        authentication_type=draw(st.sampled_from(list(AuthenticationType))),
        app_consistent_hours=draw(st.sampled_from([0, 0, 1, 4])),
        auto_resync_enabled=draw(st.booleans()),
        auto_resync_start_seconds=start,
        auto_resync_end_seconds=end,
        last_replication_time=COLLECTED,
        replica_port=draw(PORTS),
        recovery_history=draw(st.sampled_from([0, 0, 4, 24])),
        replicated_disks=tuple(replicated),
        excluded_disks=tuple(draw(st.lists(PATHS, max_size=1))),
        last_test_failover_time=draw(TIMES),
    )
    if mode is ReplicationMode.EXTENDED_REPLICA or (mode is ReplicationMode.REPLICA and draw(st.booleans())):
        extended = Relationship(
            type=RelationshipType.EXTENDED,
            mode=mode,
            state=draw(STATES),
            health=None,
            primary_server="rep.example.test",
            replica_server="ext.example.test",
            current_replica_server=None,
            compression_enabled=draw(st.booleans()),
            authentication_type=draw(st.sampled_from(list(AuthenticationType))),
            app_consistent_hours=0,
            auto_resync_enabled=True,
            auto_resync_start_seconds=0,
            auto_resync_end_seconds=0,
            replica_port=draw(PORTS),
            recovery_history=0,
            replicated_disks=tuple(replicated),
            excluded_disks=(),
            last_test_failover_time=draw(TIMES),
        )
        return (simple, extended)
    return (simple,)


@st.composite
def vms(draw: st.DrawFn, index: int) -> VM:
    mode = draw(MODES)
    services = []
    if draw(st.integers(0, 4)):  # now and then the setting is missing altogether
        services.append(
            IntegrationService(KVP_GUID, draw(st.booleans()), "Key-Value Pair Exchange", draw(st.sampled_from([2, 12])))
        )
    if draw(st.integers(0, 4)):
        status = draw(st.sampled_from([2, 3, 6, 12, 13, 13, None]))
        services.append(IntegrationService(VSS_GUID, draw(st.booleans()), "VSS", status))
    adapters = tuple(
        NetworkAdapter(
            f"Adapter {n}",
            failover=draw(
                st.sampled_from(
                    [
                        None,
                        FailoverConfig(),
                        FailoverConfig(ipv4_address="10.0.0.5"),
                        FailoverConfig(ipv6_address="fd00::5"),
                    ]
                )
            ),
        )
        for n in range(draw(st.integers(0, 2)))
    )
    return VM(
        name=f"vm{index}",
        id=f"00000000-0000-0000-0000-{index:012d}",
        state=draw(POWER),
        replication=Replication(
            mode=mode,
            state=draw(STATES),
            relationships=draw(relationships(mode)) if mode is not ReplicationMode.NONE else (),
        ),
        uptime_seconds=7200.0,
        integration_services=tuple(services),
        network_adapters=adapters,
    )


@st.composite
def certificates(draw: st.DrawFn, thumbprint: str) -> Certificate:
    return Certificate(
        thumbprint=thumbprint,
        found=draw(st.sampled_from([True, True, True, False])),
        subject="CN=host",
        not_after="2031-01-01T00:00:00Z",
        has_private_key=True,
        dns_names=tuple(
            draw(
                st.lists(
                    st.sampled_from(
                        [
                            "hv1.example.test",
                            "hv*.example.test",
                            "*.example.test",
                            "other.example.test",
                            "broker.example.test",
                        ]
                    ),
                    max_size=2,
                )
            )
        ),
        enhanced_key_usages=tuple(
            draw(st.lists(st.sampled_from([SERVER_AUTH, SERVER_AUTH, "1.3.6.1.5.5.7.3.2"]), max_size=2))
        ),
        chain_valid=draw(st.sampled_from([True, True, False])),
    )


@st.composite
def hosts(draw: st.DrawFn, number: int) -> HostSnapshot:
    count = draw(st.integers(0, 6))
    clustered = draw(st.booleans())
    entries = tuple(
        AuthorizationEntry(
            draw(st.sampled_from(["*", "pri1.example.test", "*.example.test"])),
            "D:\\R",
            draw(st.sampled_from(["A", "B"])),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    thumbprint = draw(st.sampled_from(["", "AA11"]))
    server = ReplicationServer(
        enabled=draw(st.sampled_from([True, True, False])),
        allowed_authentication=None,
        allowed_from_any_server=any(e.allowed_primary_server == "*" for e in entries),
        certificate_thumbprint=thumbprint,
        authorization_entries=entries,
        certificate=draw(certificates(thumbprint)) if thumbprint else None,
        broker_certificate=draw(certificates("BB22")) if clustered else None,
    )
    resources = tuple(
        ClusterResource(
            "Replica Broker",
            "Virtual Machine Replication Broker",
            draw(st.sampled_from(["2", "3", "Online"])),
            recovery_server_enabled=draw(st.booleans()),
            certificate_thumbprint=draw(st.sampled_from(["", "BB22"])),
            client_access_point="broker.example.test",
        )
        for _ in range(draw(st.integers(0, 1)))
    )
    policies = tuple(
        QosPolicy(
            f"p{n}",
            draw(st.sampled_from([0, 1_000_000])),
            draw(st.sampled_from([80, 443])),
            draw(st.sampled_from([80, 443, 8080])),
        )
        for n in range(draw(st.integers(0, 2)))
    )
    return HostSnapshot(
        host=HostFacts(
            name=f"HV{number}",
            hyperv_module=True,
            is_admin=True,
            is_hyperv_admin=True,
            fqdn="hv1.example.test",
            cluster_name="CL1" if clustered else None,
        ),
        vms=tuple(draw(vms(number * 100 + n)) for n in range(count)),
        errors=(),
        collected_at=COLLECTED,
        replication_server=server,
        cluster_resources=resources if clustered else None,
        qos_policies=policies,
    )


# --------------------------------------------------------------------------------------------
# The BPA's conditions, restated from the facts table
# --------------------------------------------------------------------------------------------

PRIMARY = ReplicationMode.PRIMARY
REPLICA_LIKE = (ReplicationMode.REPLICA, ReplicationMode.EXTENDED_REPLICA)
DISABLED = ReplicationState.DISABLED


def settings_of(vm: VM) -> Relationship:
    """The primary-to-Replica relationship; an Extended Replica's statistics are on its extended one."""
    rels = vm.replication.relationships
    if vm.replication.mode is ReplicationMode.EXTENDED_REPLICA:
        return next(r for r in rels if r.type is RelationshipType.EXTENDED)
    return next(r for r in rels if r.type is RelationshipType.SIMPLE)


def service(vm: VM, guid: str) -> IntegrationService | None:
    return next((s for s in vm.integration_services if s.guid == guid), None)


def has_address(vm: VM) -> bool:
    return any(a.failover and (a.failover.ipv4_address or a.failover.ipv6_address) for a in vm.network_adapters)


def month_ago(moment: datetime) -> datetime:
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def stamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def bpa_vm_rule(rule: int, vm: VM) -> bool:
    mode, state = vm.replication.mode, vm.replication.state
    if mode is ReplicationMode.NONE:
        return False
    s = settings_of(vm)
    primary_live = mode is PRIMARY and state is not DISABLED
    replica_live = mode in REPLICA_LIKE and state is not DISABLED
    if rule == 228:
        return primary_live and not s.compression_enabled
    if rule == 229:
        vss = service(vm, VSS_GUID)
        if not (primary_live and s.app_consistent_hours != 0):
            return False
        offered = vss is not None and vss.enabled
        answering = vss is not None and vss.primary_status not in (12, 13, None)
        return not offered or (vm.state is VMState.RUNNING and not answering)
    if rule == 230:
        kvp = service(vm, KVP_GUID)
        return replica_live and has_address(vm) and not (kvp is not None and kvp.enabled)
    if rule == 233:
        return primary_live and s.authentication_type is AuthenticationType.KERBEROS
    if rule == 234:
        return mode is PRIMARY and state is not DISABLED and len(s.excluded_disks or ()) == 0
    if rule == 236:
        return replica_live and not has_address(vm)
    if rule == 237:
        if not primary_live:
            return False
        if not s.auto_resync_enabled:
            return True
        start, end = s.auto_resync_start_seconds or 0, s.auto_resync_end_seconds or 0
        window = end - start if end >= start else end - start + 86400
        return window > 12 * 3600
    if rule == 239:
        return mode is PRIMARY and state is ReplicationState.SUSPENDED
    if rule == 240:
        past_initial = state not in (
            DISABLED,
            ReplicationState.READY_FOR_INITIAL_REPLICATION,
            ReplicationState.INITIAL_REPLICATION_IN_PROGRESS,
            ReplicationState.WAITING_FOR_INITIAL_REPLICATION,
        )
        return mode in REPLICA_LIKE and past_initial and s.last_test_failover_time == NEVER
    if rule == 241:
        waiting = state in (
            ReplicationState.INITIAL_REPLICATION_IN_PROGRESS,
            ReplicationState.WAITING_FOR_INITIAL_REPLICATION,
        )
        tested = s.last_test_failover_time not in (None, NEVER)
        return (
            mode in REPLICA_LIKE
            and state is not DISABLED
            and not waiting
            and tested
            and stamp(s.last_test_failover_time or NEVER) <= month_ago(stamp(COLLECTED))
        )
    if rule == 244:
        return (
            primary_live
            and (s.recovery_history or 0) > 0
            and any(not d.lower().endswith(".vhdx") for d in s.replicated_disks or ())
        )
    if rule == 245:
        return mode in REPLICA_LIKE and state is ReplicationState.FAILED_OVER_WAITING_COMPLETION
    raise AssertionError(rule)


def name_ok(pattern: str, fqdn: str) -> bool:
    p, f = pattern.lower().split("."), fqdn.lower().split(".")
    if len(p) != len(f) or p[1:] != f[1:]:
        return False
    return f[0].startswith(p[0][:-1]) if p[0].endswith("*") else p[0] == f[0]


def cert_ok(cert: Certificate | None, fqdn: str | None) -> bool:
    return bool(
        cert
        and cert.found
        and fqdn
        and any(name_ok(n, fqdn) for n in cert.dns_names or ())
        and SERVER_AUTH in (cert.enhanced_key_usages or ())
        and cert.chain_valid
    )


def bpa_host_rule(rule: int, host: HostSnapshot) -> bool:
    server = host.replication_server
    assert server is not None
    entries = server.authorization_entries or ()
    if rule == 226:
        return bool(server.enabled) and len(entries) == 0
    if rule == 227:
        return bool(server.enabled) and len(entries) == 1 and entries[0].allowed_primary_server == "*"
    if rule == 231:
        groups: dict[str, int] = defaultdict(int)
        for e in entries:
            groups[e.trust_group or ""] += 1
        return bool(server.enabled) and any(n > 1 for n in groups.values())
    if rule == 232:
        brokers = [r for r in host.cluster_resources or () if r.type == "Virtual Machine Replication Broker"]
        good = [b for b in brokers if b.state in ("2", "Online") and b.recovery_server_enabled]
        return host.host.cluster_name is not None and not good
    if rule == 235:
        ports = {
            settings_of(vm).replica_port
            for vm in host.vms
            if vm.replication.mode is PRIMARY and vm.replication.state is not DISABLED
        }
        open_ports = [
            p
            for p in ports
            if not any(
                (q.throttle_bits_per_second or 0) > 0 and (q.dst_port_start or 0) <= (p or 0) <= (q.dst_port_end or -1)
                for q in host.qos_policies or ()
            )
        ]
        return bool(open_ports)
    if rule == 238:
        if host.host.cluster_name:
            brokers = [r for r in host.cluster_resources or () if r.type == "Virtual Machine Replication Broker"]
            broker = next((b for b in brokers if b.recovery_server_enabled and b.certificate_thumbprint), None)
            if broker is None:
                return False
            node_ok = bool(server.certificate_thumbprint) and cert_ok(server.certificate, host.host.fqdn)
            return not (node_ok and cert_ok(server.broker_certificate, broker.client_access_point))
        return bool(server.enabled and server.certificate_thumbprint) and not cert_ok(
            server.certificate, host.host.fqdn
        )
    raise AssertionError(rule)


HOST_RULES = {226, 227, 231, 232, 235, 238}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True).flatmap(
        lambda ns: st.tuples(*(hosts(n) for n in ns))
    )
)
def test_engine_lists_what_the_bpa_lists(snapshots: tuple[HostSnapshot, ...]) -> None:
    outcomes = [HostOutcome(s.host.name, HostStatus.OK, s) for s in snapshots]
    results = evaluate(RULES, outcomes, NOW)
    by_rule = {r.id: r.bpa_rule for r in RULES}
    assert sorted(by_rule.values()) == [
        226,
        227,
        228,
        229,
        230,
        231,
        232,
        233,
        234,
        235,
        236,
        237,
        238,
        239,
        240,
        241,
        244,
        245,
    ]
    for result in results:
        number = by_rule[result.rule_id]
        host = next(s for s in snapshots if s.host.name == result.host)
        if number in HOST_RULES:
            assert result.verdict is not None, (result.rule_id, result.host, result.reason)
            assert result.verdict.status is not Status.UNDETERMINED, (result.rule_id, result.verdict)
            assert (result.verdict.status is Status.NONCOMPLIANT) == bpa_host_rule(number, host), (
                result.rule_id,
                number,
                result.host,
                result.verdict,
            )
            continue
        engine = {v.vm_id for v in result.vms if v.status is Status.NONCOMPLIANT}
        assert not [v for v in result.vms if v.status is Status.UNDETERMINED], (result.rule_id, result.vms)
        bpa = {vm.id for vm in host.vms if vm.type.value == 3 and bpa_vm_rule(number, vm)}
        assert engine == bpa, (result.rule_id, number, result.host, sorted(engine ^ bpa))


def test_the_restatement_can_disagree() -> None:
    """A restatement that flags nothing disagrees with the engine on a host with a finding."""
    vm = VM(
        name="paused",
        id="00000000-0000-0000-0000-000000000001",
        state=VMState.RUNNING,
        integration_services=(),
        network_adapters=(),
        replication=Replication(
            ReplicationMode.PRIMARY,
            ReplicationState.SUSPENDED,
            relationships=(
                Relationship(
                    RelationshipType.SIMPLE, ReplicationMode.PRIMARY, ReplicationState.SUSPENDED, None, None, None, None
                ),
            ),
        ),
    )
    host = HostSnapshot(host=HostFacts("HV9", True, True, True), vms=(vm,), errors=(), collected_at=COLLECTED)
    (result,) = evaluate([r for r in RULES if r.bpa_rule == 239], [HostOutcome("HV9", HostStatus.OK, host)], NOW)
    assert {v.vm_id for v in result.affected} == {vm.id} and bpa_vm_rule(239, vm)
    assert timedelta(0) == timedelta(0)
