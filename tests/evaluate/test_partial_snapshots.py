"""Every snapshot the parser accepts, however partial, is judged by every rule without a check
raising: a value an older host does not report, a section that failed, an empty list.

Property-based: the synthetic host (with a cluster broker, a certificate and QoS policies), with a
few of its values anywhere replaced by null, removed, emptied or given another valid-looking value.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvbpa.evaluate import load_rules
from hvbpa.evaluate.engine import evaluate
from hvbpa.evaluate.results import RuleFailure
from hvbpa.snapshot import HostOutcome, HostStatus, SnapshotError, snapshot_from_data
from hvbpa.snapshot.synthetic import host_snapshot
from tests.support import value_paths

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
RULES = load_rules()


def _seed() -> dict[str, Any]:
    document = host_snapshot("HV-PARTIAL", 4, seed="partial")
    document["host"]["cluster_name"] = "CL-PARTIAL"
    document["cluster_resources"] = [
        {
            "name": "Replica Broker",
            "type": "Virtual Machine Replication Broker",
            "state": "Online",
            "recovery_server_enabled": True,
            "certificate_thumbprint": "AA11",
            "client_access_point": "broker.example.test",
        }
    ]
    document["replication_server"]["broker_certificate"] = copy.deepcopy(document["replication_server"]["certificate"])
    document["vms"][1]["replication"]["mode"] = 2
    document["vms"][1]["replication"]["relationships"][0]["mode"] = 2
    document["vms"][2]["replication"]["state"] = 6
    return document


SEED = _seed()


PATHS = [p for p in value_paths(SEED) if p[0] not in ("schema",)]
VALUES: st.SearchStrategy[object] = st.sampled_from(
    [None, [], {}, "", 0, 1, 2, True, False, "Online", "*", "1601-01-01T00:00:00Z", "x.vhd"]
)


@st.composite
def partial_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = copy.deepcopy(SEED)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        parent: Any = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            if isinstance(parent, dict) and draw(st.booleans()):
                del parent[path[-1]]
            else:
                # Mostly null: what an older host or a failed read leaves, and what the parser accepts.
                parent[path[-1]] = draw(st.one_of(st.none(), st.none(), VALUES))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced the container
    return document


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=partial_documents())
def test_every_rule_judges_any_accepted_snapshot(document: dict[str, Any]) -> None:
    try:
        snapshot = snapshot_from_data(document, "HV-PARTIAL")
    except SnapshotError:
        return
    failures: list[RuleFailure] = []
    results = evaluate(RULES, [HostOutcome("HV-PARTIAL", HostStatus.OK, snapshot)], NOW, failures=failures)
    assert failures == [], failures[0].detail if failures else ""
    assert {r.rule_id for r in results} == {r.id for r in RULES}


def test_the_seed_is_accepted_and_judged() -> None:
    snapshot = snapshot_from_data(copy.deepcopy(SEED), "HV-PARTIAL")
    results = evaluate(RULES, [HostOutcome("HV-PARTIAL", HostStatus.OK, snapshot)], NOW)
    assert any(r.verdict is not None for r in results) and any(r.vms for r in results)
