"""The fast path and the checked parser agree on every document: accept or reject, and the value.

Documents are valid snapshots with fields replaced by values of other types and shapes
(hypothesis), so both parsers see the odd cases: enums as names or unknown integers,
floats where integers go, empty names, nulls, wrong containers.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvbpa.snapshot.parse import SnapshotError, parse_snapshot, snapshot_from_data
from hvbpa.snapshot.synthetic import host_snapshot
from tests.support import value_paths

EXAMPLES = int(os.environ.get("HVBPA_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEED = host_snapshot("HV-PARSE", 3)

ODD_VALUES = st.one_of(
    st.sampled_from(["", None, 0, 2, "Running", "2"]),
    st.none(), st.booleans(), st.integers(-3, 40), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "Running", "Off", "Primary", "Replica", "Simple", "Extended", "OK", "3", "x" * 300,
                     "6F1B3C8E-1D2A-4B5C-9E8F-0A1B2C3D4E5F", "not-a-guid", "한국어", "\u0000"]),
    st.lists(st.integers(0, 3), max_size=2), st.dictionaries(st.sampled_from(["name", "x"]), st.none(), max_size=1),
    # The relationship's ports, disk lists and test failover time.
    st.sampled_from([65535, 65536, 443, "1601-01-01T00:00:00Z", "2026-11-25", "D:\\a.vhdx", ["D:\\a.vhdx"], [""], [1]]),
)  # fmt: skip


VM_PATHS = [("vms", *p) for p in value_paths(SEED["vms"])]
# The VM's own fields and its first-level objects, where the fast path decides most: drawn half the time.
SHALLOW_PATHS = [p for p in VM_PATHS if len(p) <= 4]


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = copy.deepcopy(SEED)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(SHALLOW_PATHS) | st.sampled_from(VM_PATHS))
        parent: Any = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(("replace", "replace", "delete", "add")))
            if action == "replace":
                parent[path[-1]] = draw(ODD_VALUES)
            elif action == "delete" and isinstance(parent, dict):
                del parent[path[-1]]
            elif isinstance(parent, dict):
                key = draw(
                    st.sampled_from(["extra", "name", "id", "kvp", "failover", "replica_port", "excluded_disks"])
                )
                parent[key] = draw(ODD_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced the container
    return document


def _outcome(document: dict[str, Any], *, fast_path: bool) -> object:
    try:
        return snapshot_from_data(document, "HV-PARSE", fast_path=fast_path)
    except SnapshotError:
        return "rejected"


@FUZZ
@given(document=mutated_documents())
def test_fast_path_and_checked_parser_agree(document: dict[str, Any]) -> None:
    fast, checked = _outcome(document, fast_path=True), _outcome(document, fast_path=False)
    assert fast == checked, json.dumps(document, default=str)[:2000]


@FUZZ
@given(document=mutated_documents())
def test_an_accepted_snapshot_is_strict_json_again(document: dict[str, Any]) -> None:
    """Whatever either parser accepts can be written back as strict JSON (no NaN, no lone surrogate)."""
    try:
        text = json.dumps(document, ensure_ascii=False, allow_nan=False)
        parsed = parse_snapshot(text.encode("utf-8"), "HV-PARSE")
    except (SnapshotError, ValueError, UnicodeEncodeError):
        return
    from hvbpa.snapshot import dump_snapshot

    json.loads(json.dumps(dump_snapshot(parsed), allow_nan=False))
