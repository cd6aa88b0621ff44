"""A document msgspec takes for all but a few VMs (an enum written as its name, a number as
text) parses to the same snapshot as the checked parser gives, and as the same document
written the collector's way; only those VMs are read field by field."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hvbpa.snapshot.enums import VMState, display
from hvbpa.snapshot.parse import SnapshotError, parse_snapshot, snapshot_from_data
from hvbpa.snapshot.synthetic import host_snapshot

# Ways a host or an older tool writes a VM's fields that the model's exact shape refuses.
_LOOSER = {
    "state": lambda value: display(VMState(value)),  # "Running"
    "type": lambda value: {3: "RealizedVirtualMachine", 4: "PlannedVirtualMachine"}[value],
    "heartbeat": lambda value: str(value),  # "6"
}


def _loosened(document: dict[str, Any], picks: list[tuple[int, str]]) -> dict[str, Any]:
    changed: dict[str, Any] = json.loads(json.dumps(document))
    for index, field in picks:
        vm = changed["vms"][index % len(changed["vms"])]
        if isinstance(vm.get(field), int):  # not loosened yet
            vm[field] = _LOOSER[field](vm[field])
    return changed


@settings(max_examples=40, deadline=None)
@given(
    vm_count=st.integers(1, 12),
    seed=st.text("abcdef", min_size=1, max_size=4),
    picks=st.lists(st.tuples(st.integers(0, 50), st.sampled_from(sorted(_LOOSER))), min_size=1, max_size=6),
)
def test_a_few_loose_vms_parse_as_the_checked_parser_and_the_exact_document_do(
    vm_count: int, seed: str, picks: list[tuple[int, str]]
) -> None:
    document = host_snapshot("HV-MIX", vm_count, seed=seed)
    loose = _loosened(document, picks)
    got = parse_snapshot(json.dumps(loose), "HV-MIX")
    assert got == snapshot_from_data(loose, "HV-MIX", fast_path=False)
    assert got == parse_snapshot(json.dumps(document), "HV-MIX")


def test_a_bad_vm_among_good_ones_is_still_named() -> None:
    document = host_snapshot("HV-MIX", 6, mix=False)
    document["vms"][0]["state"] = "Running"  # loose but good: read by the checked parser
    document["vms"][4]["state"] = "Sleeping"
    try:
        parse_snapshot(json.dumps(document), "HV-MIX")
    except SnapshotError as exc:
        assert "vms[4].state" in str(exc) and "Sleeping" in str(exc), exc
    else:
        raise AssertionError("a VM state nobody writes was accepted")
