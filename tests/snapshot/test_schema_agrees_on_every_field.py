"""The shipped schema and both parsers (checked and fast path) accept and refuse the same
documents, whatever value any typed field is given: each example takes a valid snapshot and
replaces one field's value, anywhere in the document."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvbpa.snapshot.parse import SnapshotError, parse_snapshot, snapshot_from_data
from hvbpa.snapshot.synthetic import host_snapshot
from tests.conftest import shipped_schema
from tests.support import value_paths

VALIDATOR = jsonschema.Draft202012Validator(shipped_schema("snapshot-v1.schema.json"))
# mix=True: every kind of VM, replication and host section the synthetic hosts have.
DOCUMENT = host_snapshot("HV-F", 6)

Path = tuple[str | int, ...]


# The path to every value, containers included (a whole section may be mistyped).
FIELDS: list[Path] = value_paths(DOCUMENT)
# By field name first: a field that appears once (replication_server.allowed_authentication) is
# tried as often as one every VM has.
BY_NAME: dict[str, list[Path]] = {}
for _path in FIELDS:
    BY_NAME.setdefault(str(_path[-1]) if isinstance(_path[-1], str) else f"{_path[-2]}[]", []).append(_path)


def _near(original: object) -> list[object]:
    """The same value in another JSON type: what a collector or a hand edit gets wrong."""
    near: list[object] = [None, [original], {"value": original}]
    if isinstance(original, bool):
        near += [int(original), str(original).lower()]
    elif isinstance(original, int):
        near += [str(original), float(original) + 0.5, -original - 1, original > 0]
    elif isinstance(original, float):
        near += [str(original), int(original)]
    elif isinstance(original, str):
        near += [original.upper(), f" {original} ", original * 2, len(original)]
        if original.strip().lstrip("-").isdigit():
            near.append(int(original))
    return near


# JSON Schema counts 2.0 as the integer 2, which a Python parser can tell apart: no integral floats.
fractions = st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not x.is_integer())
numeric_text = st.one_of(
    st.integers(-(2**70), 2**70).map(str), st.sampled_from(["", " 2 ", "02", "2.0", "-0", "1e3", "0x10", "inf"])
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 70000),
    st.integers(-(2**70), 2**70),
    fractions,
    numeric_text,
    st.text(max_size=12),
    st.sampled_from(["Running", "Off", "Primary", "Kerberos", "Ok", "2026-11-25T12:00:00Z", "00:30", "x" * 300]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=6), scalars, max_size=2))


def _set(document: dict[str, Any], path: Path, value: object) -> None:
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value


def _accepted(parse: Any) -> bool:
    try:
        parse()
    except SnapshotError:
        return False
    return True


def _agree(path: Path, value: object) -> None:
    document = copy.deepcopy(DOCUMENT)
    _set(document, path, value)
    schema = VALIDATOR.is_valid(document)
    checked = _accepted(lambda: snapshot_from_data(copy.deepcopy(document), "HV-F", fast_path=False))
    fast = _accepted(lambda: parse_snapshot(json.dumps(document), source="HV-F"))
    assert schema == checked == fast, (path, value, {"schema": schema, "checked": checked, "fast": fast})


def _value_at(path: Path) -> Any:
    found: Any = DOCUMENT
    for step in path:
        found = found[step]
    return found


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_every_field_in_the_wrong_type_is_judged_alike(name: str) -> None:
    """Each field's value as text, as a number, wrapped, null: allowed_authentication "2" was
    taken by the parser and refused by the schema."""
    path = BY_NAME[name][0]
    for value in _near(_value_at(path)):
        _agree(path, value)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(BY_NAME)), data=st.data())
def test_schema_and_parsers_agree_on_any_value_of_any_field(name: str, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(BY_NAME[name]), label="path")
    value = data.draw(st.one_of(st.sampled_from(_near(_value_at(path))), values), label="value")
    _agree(path, value)


def test_the_fields_cover_every_section() -> None:
    tops = {path[0] for path in FIELDS}
    assert {"host", "vms", "replication_server"} <= tops, tops
    assert len(FIELDS) > 200
