"""The shipped snapshot schema is the one generated from the model, and says what the parser does."""

from __future__ import annotations

import json
import re
from enum import IntEnum
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.snapshot import enums, model, schema_gen
from hvbpa.snapshot.parse import SnapshotError, snapshot_from_data
from hvbpa.snapshot.shapes import NonEmpty, Port
from hvbpa.snapshot.synthetic import host_snapshot
from tests.conftest import shipped_schema

LAB = Path(schema_gen.__file__).parents[1] / "lab"
LAB_SNAPSHOTS = sorted(LAB.glob("*_fleet/*.json"))
VALIDATOR = jsonschema.Draft202012Validator(shipped_schema(schema_gen.SCHEMA_FILE))


def test_the_shipped_schema_is_the_generated_one() -> None:
    shipped = schema_gen.shipped_path().read_text("utf-8")
    assert shipped == schema_gen.schema_text(), "run: python -m hvbpa.snapshot.schema_gen --write"


def test_the_generated_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema_gen.snapshot_schema())


def test_every_model_object_is_described_with_exactly_its_fields() -> None:
    schema = schema_gen.snapshot_schema()
    for cls, name in schema_gen.DEF_NAMES.items():
        fields = {f.name for f in msgspec.structs.fields(cls)}
        assert set(schema["$defs"][name]["properties"]) == fields, cls.__name__
    top = set(model.HostSnapshot.__struct_fields__) - {"source"} | {"schema"}
    assert set(schema["properties"]) == top


def test_every_table_entry_names_a_real_field() -> None:
    """A renamed field must not leave its description or bounds behind, silently unused."""
    for cls, name in schema_gen.FIELDS:
        assert name in {f.name for f in msgspec.structs.fields(cls)}, f"{cls.__name__}.{name}"


def test_a_new_model_field_reaches_the_schema_without_a_table_entry() -> None:
    class Probe(msgspec.Struct):
        port: Port | None = None
        paths: tuple[NonEmpty, ...] | None = None
        mode: enums.ReplicationMode | None = None
        name: str = ""

    schema_gen.DEF_NAMES[Probe] = "probe"
    try:
        described = schema_gen._object(Probe)
    finally:
        del schema_gen.DEF_NAMES[Probe]
    assert described["properties"] == {
        "port": {"type": ["integer", "null"], "minimum": 0, "maximum": 65535},
        "paths": {"type": ["array", "null"], "items": {"type": "string", "minLength": 1}},
        "mode": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/ReplicationMode"}]},
        "name": {"type": "string"},
    }
    assert "required" not in described


@pytest.mark.parametrize("path", LAB_SNAPSHOTS, ids=[f"{p.parent.name}/{p.name}" for p in LAB_SNAPSHOTS])
def test_lab_fleet_snapshots_are_valid_for_both(path: Path) -> None:
    document = json.loads(path.read_text("utf-8-sig"))
    VALIDATOR.validate(document)
    snapshot_from_data(document, path.name)


def test_lab_fleets_were_found() -> None:
    assert len(LAB_SNAPSHOTS) >= 3


# What parse_enum accepts as text, by its docstring: the integer as text, the name in any case
# and spelling. The schema's pattern must take and refuse the same.
enum_text = st.one_of(
    st.sampled_from([m.name for m in enums.AllowedAuthentication]).map(str.lower),
    st.sampled_from(["Kerberos", "Certificate", "CertificateAndKerberos", "CERTIFICATE_AND_KERBEROS"]),
    st.sampled_from(["certificate and kerberos", " Kerberos ", "kerb", "Certificates", "", "-", "K-e-r-b-e-r-o-s"]),
    st.integers(-2, 5).map(str),
    st.sampled_from(["02", " 3 ", "-0", "2.0", "+2", "1 2", "0x2"]),
    st.text(alphabet="KkEeRrBbOoSs _-12", max_size=10),
)


# JSON Schema counts 2.0 as the integer 2, which a Python parser can tell apart: fractions only.
fractions = st.floats(0.5, 3.5).filter(lambda x: not x.is_integer())


@given(value=st.one_of(enum_text, st.integers(-1, 5), st.none(), st.booleans(), fractions))
def test_allowed_authentication_schema_and_parser_agree(value: object) -> None:
    document = host_snapshot("HV-E", 1, mix=False)
    document["replication_server"]["allowed_authentication"] = value
    try:
        parsed = snapshot_from_data(document, "HV-E")
    except SnapshotError:
        parsed = None
    assert VALIDATOR.is_valid(document) == (parsed is not None), value
    if parsed is not None and value is not None:
        assert parsed.replication_server is not None
        assert parsed.replication_server.allowed_authentication == enums.parse_enum(enums.AllowedAuthentication, value)


@pytest.mark.parametrize("cls", [enums.VMState, enums.SnapshotType, enums.OperationalStatus, enums.ReplicationMode])
def test_enum_pattern_takes_what_parse_enum_takes(cls: type[IntEnum]) -> None:
    pattern = re.compile(schema_gen.enum_pattern(cls))
    for member in cls:
        for text in (str(member.value), enums.display(member), member.name, member.name.lower(), f" 0{member.value}"):
            assert enums.parse_enum(cls, text) is member
            assert pattern.search(text), text
    for text in ("", "99999", "Nothing", "1.5", "--1"):
        with pytest.raises(ValueError):
            enums.parse_enum(cls, text)
        assert not pattern.search(text), text


def _documents() -> list[dict[str, Any]]:
    return [host_snapshot("HV-G", 4), host_snapshot("HV-G2", 12, seed="other")]


def test_synthetic_hosts_are_valid() -> None:
    for document in _documents():
        VALIDATOR.validate(document)
