"""The published snapshot schema and the parser agree, on good and bad documents."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.snapshot.enums import ReplicationMode, VMState, VMType, parse_enum
from hvbpa.snapshot.parse import SnapshotError, convert_fast, decode_fast, parse_snapshot, snapshot_from_data
from hvbpa.snapshot.synthetic import host_snapshot
from tests.conftest import CASES, shipped_schema

VALIDATOR = jsonschema.Draft202012Validator(shipped_schema("snapshot-v1.schema.json"))
FIXTURES = sorted(CASES.glob("*/*.json"))


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}/{p.name}" for p in FIXTURES])
def test_every_fixture_is_valid_for_both(path: Any) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    VALIDATOR.validate(json.loads(text))
    parse_snapshot(path.read_bytes(), source=path.name)


Mutation = Callable[[dict[str, Any]], None]
MUTATIONS: list[tuple[str, Mutation]] = [
    ("unknown top-level key", lambda d: d.update(extra=1)),
    ("vm without id", lambda d: d["vms"][0].pop("id")),
    ("bad guid", lambda d: d["vms"][0].update(id="1234")),
    ("host name empty", lambda d: d["host"].update(name="")),
    ("adapters not a list", lambda d: d["vms"][0].update(network_adapters="eth0")),
    ("service enabled missing", lambda d: d["vms"][0]["integration_services"][0].pop("enabled")),
    ("negative uptime", lambda d: d["vms"][0].update(uptime_seconds=-1)),
    ("kvp unknown key", lambda d: d["vms"][0].update(kvp={"colour": "x"})),
    ("error without message", lambda d: d["errors"].append({"section": "vms"})),
    ("failover unknown key", lambda d: d["vms"][0]["network_adapters"][0].update(failover={"ipv9": "x"})),
]


@pytest.mark.parametrize(("label", "mutate"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_schema_and_parser_reject_the_same_documents(label: str, mutate: Mutation) -> None:
    document = host_snapshot("HV-M", 2, mix=False)
    VALIDATOR.validate(document)
    broken = copy.deepcopy(document)
    mutate(broken)
    assert not VALIDATOR.is_valid(broken), label
    with pytest.raises(SnapshotError):
        snapshot_from_data(broken, "HV-M")


def test_enum_integers_and_names_parse_alike() -> None:
    assert parse_enum(VMState, 2) is parse_enum(VMState, "Running") is parse_enum(VMState, "RUNNING")
    assert parse_enum(VMState, "FastSaved") is VMState.FAST_SAVED
    assert parse_enum(ReplicationMode, "4") is ReplicationMode.EXTENDED_REPLICA
    with pytest.raises(ValueError, match="not a known VMState value"):
        parse_enum(VMState, 77)
    with pytest.raises(ValueError):
        parse_enum(VMState, True)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # The Hyper-V module's names (VirtualMachineType), as ConvertTo-Json -EnumsAsStrings writes them.
        ("RealizedVirtualMachine", VMType.REALIZED),
        ("PlannedVirtualMachine", VMType.PLANNED),
        ("Planned", VMType.PLANNED),
        (3, VMType.REALIZED),
    ],
)
def test_the_modules_vm_type_names_parse_and_validate(written: object, expected: VMType) -> None:
    document = host_snapshot("HV-T", 2, mix=False)
    document["vms"][1]["type"] = written
    assert VALIDATOR.is_valid(document)
    snapshot = snapshot_from_data(document, "HV-T")
    assert snapshot.vms[1].type is expected
    assert snapshot == snapshot_from_data(document, "HV-T", fast_path=False)


def test_a_vm_type_name_nobody_writes_is_refused_by_both() -> None:
    document = host_snapshot("HV-T", 2, mix=False)
    document["vms"][1]["type"] = "ReplicaVirtualMachine"
    assert not VALIDATOR.is_valid(document)
    with pytest.raises(SnapshotError, match=r"vms\[1\]\.type"):
        snapshot_from_data(document, "HV-T")


def test_big_host_parses_and_every_vm_is_judged() -> None:
    """1,024 VMs: the verdict counts follow from the generator's VM kinds."""
    from datetime import UTC, datetime

    from hvbpa.evaluate.engine import evaluate
    from hvbpa.evaluate.results import Status
    from hvbpa.evaluate.ruleset import load_rules, select_rules
    from hvbpa.snapshot.outcome import HostOutcome, HostStatus

    document = host_snapshot("HV-BIG", 1024)
    snapshot = parse_snapshot(json.dumps(document))
    assert len(snapshot.vms) == 1024
    rules = select_rules(load_rules(), only=["HVX003"])
    results = evaluate(rules, [HostOutcome("HV-BIG", HostStatus.OK, snapshot)], datetime.now(UTC))
    (result,) = results
    kinds = [vm["name"].split("-")[0] for vm in document["vms"]]
    assert len(result.affected) == kinds.count("absent") > 0
    assert len(result.undetermined) == kinds.count("off") > 0
    assert sum(v.status is Status.COMPLIANT for v in result.vms) == kinds.count("healthy")


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}/{p.name}" for p in FIXTURES])
def test_fast_path_builds_what_the_checked_parser_builds(path: Any) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    fast = decode_fast(text, path.name)
    checked = snapshot_from_data(json.loads(text), source=path.name, fast_path=False)
    assert fast is None or fast == checked
    assert parse_snapshot(text, source=path.name) == checked


def test_fast_path_takes_the_common_shape() -> None:
    """Integer enums (what hosts write) go the fast way; names fall back and still parse alike."""
    document = host_snapshot("HV-F", 3)
    fast = decode_fast(json.dumps(document), "HV-F")
    assert fast is not None and convert_fast(document, "HV-F") == fast
    assert fast.vms[0].id == document["vms"][0]["id"].lower()
    document["vms"][0]["state"] = "Running"
    assert decode_fast(json.dumps(document), "HV-F") is None
    assert convert_fast(document, "HV-F") is None
    assert snapshot_from_data(document).vms[0].state is VMState.RUNNING


@given(st.integers(min_value=1, max_value=400))
def test_a_cut_off_snapshot_file_reads_as_truncated(cut: int) -> None:
    from hvbpa.snapshot import json_problem

    document = json.dumps({"schema": "hvbpa.snapshot/1", "vms": [{"name": "a" * 30, "n": i} for i in range(9)]})
    cut = min(cut, len(document) - 1)
    try:
        json.loads(document[:cut])
    except json.JSONDecodeError as exc:
        assert json_problem(exc, document[:cut]).startswith("truncated JSON at line 1")


# cluster_nodes: absent from older snapshots, a list of names from newer ones. Schema and
# parser must take and refuse the same values.
cluster_node_values = st.one_of(
    st.none(),
    st.lists(st.one_of(st.text(max_size=12), st.integers(), st.none()), max_size=4),
    st.text(max_size=5),
    st.integers(),
)


@given(value=cluster_node_values)
def test_cluster_nodes_schema_and_parser_agree(value: object) -> None:
    document = host_snapshot("HV-C", 1, mix=False)
    document["host"]["cluster_name"] = "CL-1"
    document["host"]["cluster_nodes"] = value
    valid = VALIDATOR.is_valid(document)
    try:
        parsed = snapshot_from_data(document, "HV-C")
    except SnapshotError:
        assert not valid
    else:
        assert valid
        assert parsed.host.cluster_nodes == (None if value is None else tuple(value))  # type: ignore[arg-type]


def test_old_snapshots_have_no_cluster_nodes() -> None:
    document = host_snapshot("HV-OLD", 1, mix=False)
    assert "cluster_nodes" not in document["host"]
    assert snapshot_from_data(document, "HV-OLD").host.cluster_nodes is None
