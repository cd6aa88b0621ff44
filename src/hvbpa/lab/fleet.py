"""Fleet files: which lab hosts to run and how each one misbehaves.

A fleet file is TOML; ``fleet_example.toml`` beside this module is a complete,
commented example (shown by ``hvbpa lab serve --help`` and checked by a test to load).

``certificate-https`` hosts authenticate by TLS client certificate (pywinrm's
``transport="certificate"``): the lab issues each such host's user a client
certificate from the lab CA (UPN ``user@lab.example``) and the host accepts
only certificates of that CA whose UPN names its user; the password is unused.

Paths are resolved against the fleet file's folder. Lab credentials default to
``labadmin`` / ``Lab-Passw0rd!``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from hvbpa.collect import collection_script
from hvbpa.lab.replay import ReplayError, load_replay

DEFAULT_USERNAME = "labadmin"
DEFAULT_PASSWORD = "Lab-Passw0rd!"  # noqa: S105 - documented lab credential
TRANSPORTS = ("basic-http", "basic-https", "ntlm", "certificate-https", "kerberos")
# Over HTTP these encrypt every message with the connection's security context, as Windows requires.
ENCRYPTED_TRANSPORTS = ("ntlm", "kerberos")
HTTPS_TRANSPORTS = ("basic-https", "certificate-https")
# The domain of the UPN in the client certificates the lab issues.
CERTIFICATE_DOMAIN = "lab.example"
OUTPUT_MODES = ("snapshot", "non-json", "truncated", "huge", "clixml-error")
EXECUTE_MODES = ("canned", "powershell", "auto")
HUGE_OUTPUT_BYTES = 10 * 1024 * 1024


class FleetError(ValueError):
    """A fleet file or fleet definition is wrong; the message names file and key."""


@dataclass(frozen=True)
class CommandFault:
    """A SOAP fault the host answers every Command with."""

    code: int
    message: str


@dataclass(frozen=True)
class HostConfig:
    name: str
    port: int = 0
    transport: str = "basic-http"
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    snapshot: Path | None = None
    # In-memory snapshot JSON, for fleets built in code; wins over ``snapshot``.
    snapshot_text: str | None = None
    raw_output: Path | None = None
    # Recorded envelopes to answer with, in order (hvbpa.lab.replay), instead of being a host.
    replay: Path | None = None
    latency: float = 0.0
    refuse: bool = False
    hang: bool = False
    reject_credentials: bool = False
    fault: CommandFault | None = None
    output: str = "snapshot"
    huge_output_bytes: int = HUGE_OUTPUT_BYTES
    slow_command: float = 0.0
    execute: str = "canned"  # see hvbpa.lab.executed
    # kerberos: the keytab with this host's key (HTTP/localhost); ``username`` is the client principal.
    keytab: Path | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.transport in HTTPS_TRANSPORTS else "http"

    @property
    def principal(self) -> str:
        """The UPN the lab puts in this host's client certificate (certificate-https)."""
        user = self.username.rsplit("\\", 1)[-1]
        return user if "@" in user else f"{user}@{CERTIFICATE_DOMAIN}"

    def snapshot_json(self) -> str:
        """The JSON this host answers the collection script with."""
        if self.snapshot_text is not None:
            return self.snapshot_text
        if self.snapshot is not None:
            return self.snapshot.read_text(encoding="utf-8")
        return json.dumps(minimal_snapshot(self.name), ensure_ascii=False)


@dataclass(frozen=True)
class Fleet:
    hosts: tuple[HostConfig, ...]
    # The collection script the hosts recognise. None: the packaged collect.ps1,
    # or, while that does not exist, any script an hvbpa bootstrap delivers.
    script: Path | None = None
    script_text: str | None = None
    source: Path | None = None

    def host(self, name: str) -> HostConfig:
        for host in self.hosts:
            if host.name == name:
                return host
        raise KeyError(name)

    def reference_script(self) -> str | None:
        if self.script_text is not None:
            return self.script_text
        if self.script is not None:
            return self.script.read_text(encoding="utf-8-sig")
        return packaged_script()


def packaged_script() -> str:
    return collection_script()


def minimal_snapshot(name: str, vms: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A schema-valid snapshot of a Hyper-V host, with no VMs unless given."""
    return {
        "schema": "hvbpa.snapshot/1",
        "collected_at": "2024-05-01T09:00:00Z",
        "collector_version": "lab",
        "host": {
            "name": name,
            "fqdn": f"{name.lower()}.lab.example",
            "os_caption": "Microsoft Windows Server 2022 Datacenter",
            "os_build": "20348",
            "ps_version": "5.1.20348.2400",
            "hyperv_module": True,
            "is_admin": True,
            "is_hyperv_admin": True,
            "cluster_name": None,
        },
        "vms": vms or [],
        "errors": [],
        # What the collector reads from a host never set up as a Replica server.
        "replication_server": {
            "enabled": False,
            "allowed_authentication": 1,
            "allowed_from_any_server": False,
            "certificate_thumbprint": None,
            "authorization_entries": [],
            "certificate": None,
        },
        "cluster_resources": None,
    }


def build_fleet(
    hosts: Iterable[HostConfig],
    *,
    script_text: str | None = None,
    script: Path | None = None,
) -> Fleet:
    """A fleet defined in code, checked like a fleet file."""
    fleet = Fleet(hosts=tuple(hosts), script=script, script_text=script_text)
    _check_fleet(fleet, "<fleet>")
    return fleet


def fleet_from_snapshots(
    snapshots: Mapping[str, str | Mapping[str, Any]],
    *,
    script_text: str | None = None,
    **host_options: Any,
) -> Fleet:
    """One host per snapshot (name -> JSON text or dict), all with the same options."""
    hosts = []
    for name, snapshot in snapshots.items():
        text = snapshot if isinstance(snapshot, str) else json.dumps(snapshot, ensure_ascii=False)
        hosts.append(HostConfig(name=name, snapshot_text=text, **host_options))
    return build_fleet(hosts, script_text=script_text)


def demo_fleet_path() -> Path:
    return bundled_fleet_path("demo")


# Fleets shipped with hvbpa, by the name `hvbpa lab serve NAME` takes.
BUNDLED_FLEETS = {
    "demo": "every kind of result: findings, a Replica judged from its primary, a host that refuses connections",
    "healthy": "nothing wrong: a scan exits 0 (a green CI smoke check)",
}


def bundled_fleet_path(name: str) -> Path:
    return Path(str(resources.files("hvbpa.lab").joinpath(f"{name}_fleet", "fleet.toml")))


def find_fleet(spec: str | None) -> Path:
    """A fleet file path, or the name of a bundled fleet (None: the demo fleet)."""
    if spec is None:
        return demo_fleet_path()
    if spec in BUNDLED_FLEETS and not Path(spec).exists():
        return bundled_fleet_path(spec)
    path = Path(spec)
    if not path.is_file():
        known = ", ".join(BUNDLED_FLEETS)
        raise FleetError(f"{spec}: no such fleet file (or bundled fleet: {known})")
    return path


_HOST_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "port": int,
    "transport": str,
    "username": str,
    "password": str,
    "snapshot": str,
    "raw_output": str,
    "replay": str,
    "latency": (int, float),
    "refuse": bool,
    "hang": bool,
    "reject_credentials": bool,
    "fault": dict,
    "output": str,
    "huge_output_bytes": int,
    "slow_command": (int, float),
    "execute": str,
}
_DEFAULT_KEYS = {k: v for k, v in _HOST_KEYS.items() if k not in ("name", "port", "snapshot", "raw_output", "replay")}


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", bool: "true or false", dict: "a table"}
    if isinstance(expected, tuple):
        return "a number"
    return names.get(expected, expected.__name__)


def _check_type(where: str, key: str, value: Any, expected: type | tuple[type, ...]) -> None:
    # bool is an int in Python; TOML keeps them apart and so do we.
    wrong_bool = isinstance(value, bool) and expected is not bool
    if wrong_bool or not isinstance(value, expected):
        raise FleetError(f"{where}.{key}: expected {_type_name(expected)}, got {value!r}")


def load_fleet(path: Path) -> Fleet:
    """Read a fleet file; FleetError names the file and the key on any mistake."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise FleetError(f"{path}: no such fleet file") from None
    except tomllib.TOMLDecodeError as exc:
        raise FleetError(f"{path}: not valid TOML ({exc})") from None
    return fleet_from_mapping(data, path)


def fleet_from_mapping(data: Mapping[str, Any], path: Path) -> Fleet:
    base = path.parent
    known = {"script", "defaults", "hosts"}
    for key in data:
        if key not in known:
            raise FleetError(f"{path}: unknown key {key!r} (expected one of {', '.join(sorted(known))})")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise FleetError(f"{path}: defaults: expected a table")
    for key, value in defaults.items():
        if key not in _DEFAULT_KEYS:
            raise FleetError(f"{path}: defaults.{key}: unknown key")
        _check_type(f"{path}: defaults", key, value, _DEFAULT_KEYS[key])
    raw_hosts = data.get("hosts")
    if not isinstance(raw_hosts, list) or not raw_hosts:
        raise FleetError(f"{path}: hosts: expected at least one [[hosts]] table")
    script = data.get("script")
    if script is not None:
        _check_type(f"{path}:", "script", script, str)
    hosts = []
    for index, raw in enumerate(raw_hosts):
        where = f"{path}: hosts[{index}]"
        if not isinstance(raw, dict):
            raise FleetError(f"{where}: expected a table")
        hosts.append(_host_from_mapping({**defaults, **raw}, where, base))
    fleet = Fleet(
        hosts=tuple(hosts),
        script=(base / script) if script else None,
        source=path,
    )
    _check_fleet(fleet, str(path))
    if fleet.script is not None and not fleet.script.is_file():
        raise FleetError(f"{path}: script: no such file {fleet.script}")
    return fleet


def _host_from_mapping(raw: Mapping[str, Any], where: str, base: Path) -> HostConfig:
    for key, value in raw.items():
        if key not in _HOST_KEYS:
            raise FleetError(f"{where}.{key}: unknown key")
        _check_type(where, key, value, _HOST_KEYS[key])
    if "name" not in raw:
        raise FleetError(f"{where}.name: required")
    where = f"{where} ({raw['name']})"
    fault = None
    if "fault" in raw:
        spec = raw["fault"]
        for key in spec:
            if key not in ("code", "message"):
                raise FleetError(f"{where}.fault.{key}: unknown key (expected code, message)")
        code = spec.get("code", 2150858843)
        message = spec.get("message", "The lab host was told to fail this command. ")
        _check_type(f"{where}.fault", "code", code, int)
        _check_type(f"{where}.fault", "message", message, str)
        fault = CommandFault(code=code, message=message)
    files: dict[str, Path | None] = {"snapshot": None, "raw_output": None, "replay": None}
    for key in files:
        if key in raw:
            file = base / raw[key]
            if not file.is_file():
                raise FleetError(f"{where}.{key}: no such file {file}")
            files[key] = file
    plain = {k: v for k, v in raw.items() if k not in ("fault", "snapshot", "raw_output", "replay")}
    host = HostConfig(
        **plain, fault=fault, snapshot=files["snapshot"], raw_output=files["raw_output"], replay=files["replay"]
    )
    if host.replay is not None:
        try:
            load_replay(host.replay)
        except ReplayError as exc:
            raise FleetError(f"{where}.replay: {exc}") from None
    if "latency" in raw or "slow_command" in raw:
        host = replace(host, latency=float(host.latency), slow_command=float(host.slow_command))
    _check_host(host, where)
    return host


def _check_host(host: HostConfig, where: str) -> None:
    if not host.name.strip():
        raise FleetError(f"{where}.name: must not be empty")
    if host.transport not in TRANSPORTS:
        raise FleetError(f"{where}.transport: {host.transport!r} is not one of {', '.join(TRANSPORTS)}")
    if host.execute not in EXECUTE_MODES:
        raise FleetError(f"{where}.execute: {host.execute!r} is not one of {', '.join(EXECUTE_MODES)}")
    if host.output not in OUTPUT_MODES:
        raise FleetError(f"{where}.output: {host.output!r} is not one of {', '.join(OUTPUT_MODES)}")
    if not 0 <= host.port <= 65535:
        raise FleetError(f"{where}.port: {host.port} is not a TCP port")
    for key in ("latency", "slow_command"):
        if getattr(host, key) < 0:
            raise FleetError(f"{where}.{key}: must not be negative")
    if host.huge_output_bytes < 0:
        raise FleetError(f"{where}.huge_output_bytes: must not be negative")
    if host.snapshot is not None and host.raw_output is not None:
        raise FleetError(f"{where}: give snapshot or raw_output, not both")
    if host.refuse and host.hang:
        raise FleetError(f"{where}: refuse and hang cannot both be set")
    if ":" in host.username:
        raise FleetError(f"{where}.username: must not contain ':'")


def _check_fleet(fleet: Fleet, where: str) -> None:
    names: set[str] = set()
    ports: set[int] = set()
    for index, host in enumerate(fleet.hosts):
        _check_host(host, f"{where}: hosts[{index}] ({host.name})")
        if host.name.lower() in names:
            raise FleetError(f"{where}: hosts[{index}].name: duplicate host name {host.name!r}")
        names.add(host.name.lower())
        if host.port:
            if host.port in ports:
                raise FleetError(f"{where}: hosts[{index}].port: port {host.port} is used twice")
            ports.add(host.port)
