"""Fleet files: parsing, one-line errors naming file and key, the bundled demo."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from hvbpa.lab import FleetError, HostConfig, build_fleet, demo_fleet_path, fleet_from_snapshots, load_fleet
from hvbpa.lab.fleet import CommandFault

from ..conftest import shipped_schema

GOOD = """
script = "collect.ps1"
[defaults]
transport = "ntlm"
latency = 0.1

[[hosts]]
name = "A"
port = 0
snapshot = "a.json"
[hosts.fault]
code = 5
message = "Access is denied."

[[hosts]]
name = "B"
transport = "basic-https"
raw_output = "b.bin"
output = "huge"
slow_command = 3
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / "b.bin").write_bytes(b"raw")
    (tmp_path / "collect.ps1").write_text("Get-VM", encoding="utf-8")
    path = tmp_path / "fleet.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_fleet(tmp_path: Path) -> None:
    fleet = load_fleet(write(tmp_path, GOOD))
    a, b = fleet.hosts
    assert (a.transport, a.latency, a.snapshot, a.fault) == (
        "ntlm",
        0.1,
        tmp_path / "a.json",
        CommandFault(5, "Access is denied."),
    )
    assert (b.transport, b.raw_output, b.output, b.slow_command, b.scheme) == (
        "basic-https",
        tmp_path / "b.bin",
        "huge",
        3.0,
        "https",
    )
    assert fleet.reference_script() == "Get-VM"
    with pytest.raises(AttributeError):
        a.name = "C"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("latency = 0.1", 'latency = "fast"'), "defaults.latency: expected a number, got 'fast'"),
        (("port = 0", "port = 70000"), "hosts[0] (A).port: 70000 is not a TCP port"),
        (('name = "B"', 'name = "a"'), "hosts[1].name: duplicate host name 'a'"),
        (('transport = "basic-https"', 'transport = "credssp"'), "transport: 'credssp' is not one of"),
        (('output = "huge"', 'outptu = "huge"'), "hosts[1].outptu: unknown key"),
        (('snapshot = "a.json"', 'snapshot = "missing.json"'), "hosts[0] (A).snapshot: no such file"),
        (("code = 5", 'code = "5"'), "fault.code: expected an integer"),
        (('output = "huge"', 'output = "garbage"'), "output: 'garbage' is not one of"),
        (("slow_command = 3", "slow_command = true"), "slow_command: expected a number, got True"),
        (("slow_command = 3", 'execute = "bash"'), "execute: 'bash' is not one of canned, powershell, auto"),
        (('script = "collect.ps1"', 'scrpt = "collect.ps1"'), "unknown key 'scrpt'"),
        (("port = 0", "port = 0\nhang = true\nrefuse = true"), "refuse and hang cannot both be set"),
        (('[[hosts]]\nname = "A"\nport = 0', "[[hosts]]\nport = 0"), "hosts[0].name: required"),
    ],
)
def test_fleet_errors_name_file_and_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write(tmp_path, GOOD.replace(*change, 1))
    with pytest.raises(FleetError) as caught:
        load_fleet(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(str(path))
    assert message in text


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FleetError, match="no such fleet file"):
        load_fleet(tmp_path / "nope.toml")
    with pytest.raises(FleetError, match="not valid TOML"):
        load_fleet(write(tmp_path, "[[hosts]\n"))
    with pytest.raises(FleetError, match="at least one"):
        load_fleet(write(tmp_path, "[defaults]\n"))


def test_programmatic_fleets() -> None:
    fleet = fleet_from_snapshots({f"HV-{i:03d}": {"schema": "hvbpa.snapshot/1"} for i in range(200)}, latency=0.01)
    assert len(fleet.hosts) == 200
    assert json.loads(fleet.hosts[7].snapshot_json()) == {"schema": "hvbpa.snapshot/1"}
    with pytest.raises(FleetError, match="duplicate host name"):
        build_fleet([HostConfig(name="X"), HostConfig(name="x")])
    # A host without a snapshot answers a valid, empty one.
    jsonschema.validate(json.loads(HostConfig(name="E").snapshot_json()), shipped_schema("snapshot-v1.schema.json"))


def test_demo_fleet() -> None:
    fleet = load_fleet(demo_fleet_path())
    assert [h.name for h in fleet.hosts] == ["HV-PRI-01", "HV-REP-01", "HV-DR-02", "HV-DR-03"]
    assert fleet.host("HV-DR-03").refuse
    schema = shipped_schema("snapshot-v1.schema.json")
    snapshots = {h.name: json.loads(h.snapshot_json()) for h in fleet.hosts if h.snapshot}
    for document in snapshots.values():
        jsonschema.validate(document, schema)
    primary = {vm["id"]: vm for vm in snapshots["HV-PRI-01"]["vms"]}
    replica = {vm["id"]: vm for vm in snapshots["HV-REP-01"]["vms"]}
    shared = primary.keys() & replica.keys()
    assert len(shared) >= 6
    names = {primary[i]["name"] for i in shared}
    assert {"웹서버-01", "데이터베이스", "LEGACY-NT-01", "LNX-WEB-01", "FILE-02"} <= names
    assert all(replica[i]["state"] in (3, "Off", 2, "Running") for i in shared)
    legacy = next(vm for vm in primary.values() if vm["name"] == "LEGACY-NT-01")
    kvp = next(s for s in legacy["integration_services"] if s["guid"] == "2A34B1C2-FD73-4043-8A5B-DD2159BC743F")
    assert (kvp["enabled"], kvp["primary_status"], legacy["kvp"]) == (True, 12, None)
    assert legacy["uptime_seconds"] > 600
    assert legacy["network_adapters"][0]["failover"]["ipv4_address"]


def test_execute_is_a_host_and_default_setting(tmp_path: Path) -> None:
    text = GOOD.replace("latency = 0.1", 'latency = 0.1\nexecute = "auto"').replace(
        "slow_command = 3", 'slow_command = 3\nexecute = "powershell"'
    )
    fleet = load_fleet(write(tmp_path, text))
    assert [h.execute for h in fleet.hosts] == ["auto", "powershell"]
    assert HostConfig("X").execute == "canned"
