"""Scan targets from a static Ansible inventory, INI or YAML, with ``--limit`` patterns.

Only hosts Ansible would reach over WinRM become targets: ``ansible_connection`` of winrm
or psrp, or unset (an admin pointing hvbpa at an inventory means its hosts are Windows;
Ansible itself would default to ssh). Hosts with any other connection are skipped.

Not supported, and refused rather than half-read: inventory directories, plugin
configurations and scripts, vault-encrypted inventories, Jinja2 templates and vault
values in the variables hvbpa uses, except ansible_password: a plain one is used for its
host (never printed); a vaulted one needs HVBPA_PASSWORD or the keyring instead.
group_vars/ and host_vars/ directories next to the inventory file are read (see vars_dirs);
those next to a playbook are not, as hvbpa has none.

Each file is read and limited on its own (Ansible merges several inventories first), so
a --limit pattern that matches nothing in this file is not an error: it may match in
another. Targets come in the order hosts first appear in the file, not Ansible's
pattern-evaluation order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hvbpa.targets.ini_inventory import parse_ini
from hvbpa.targets.inventory import Value, Vault
from hvbpa.targets.model import (
    CERT_VALIDATION,
    SCHEMES,
    TRANSPORTS,
    Origin,
    Target,
    TargetError,
    check_address,
    parse_port,
    read_text,
    redact,
    shown,
)
from hvbpa.targets.vars_dirs import VarsDirs
from hvbpa.targets.yaml_inventory import parse_yaml

_YAML_SUFFIXES = (".yml", ".yaml", ".json")
_NOT_STATIC = (".py", ".sh", ".ps1", ".toml", ".exe")


def read_inventory(path: Path, limit: str | None = None) -> list[Target]:
    """Targets for the WinRM hosts of an inventory, in the order hosts first appear in the file."""
    label = str(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise TargetError(label, "inventory directories are not supported; name one inventory file")
    if suffix in _NOT_STATIC:
        raise TargetError(label, "only static INI and YAML inventories are supported")
    text = read_text(path)
    if text.startswith("$ANSIBLE_VAULT;"):
        raise TargetError(f"{label}:1", "the inventory is vault-encrypted; decrypt it to a file hvbpa can read")
    if suffix in _YAML_SUFFIXES or (suffix != ".ini" and _looks_like_yaml(text, label)):
        inventory = parse_yaml(text, label)
    else:
        inventory = parse_ini(text, label)
    inventory.reconcile()
    selected = inventory.select(limit) if limit is not None else set(inventory.hosts)
    # Read on demand, as Ansible does: a broken vars file of an unselected host does not matter.
    vars_files = VarsDirs(path)
    targets = []
    for name in inventory.hosts:
        if name in selected:
            target = _target(name, inventory.host_vars(name, vars_files), inventory.hosts[name].where, label)
            if target is not None:
                targets.append(target)
    return targets


_YAML_KEY_LINE = re.compile(r"^[^\s=\[#;:]+:(\s|$)")


def _looks_like_yaml(text: str, label: str) -> bool:
    """Decide for a file without a telling extension, from its first meaningful line."""
    if text.startswith("#!"):
        raise TargetError(
            f"{label}:1",
            "this looks like a dynamic inventory script; run it with ansible-inventory "
            "--list --yaml and pass the output",
        )
    for raw in text.split("\n"):
        line = raw.strip()
        if line and line[0] not in "#;":
            return line.startswith(("---", "{")) or _YAML_KEY_LINE.match(raw) is not None
    return False


@dataclass(frozen=True)
class _Plugin:
    """The variables a connection plugin reads for each option; with several, the last set wins."""

    address: tuple[str, ...]
    user: tuple[str, ...]
    port: tuple[str, ...]
    scheme: tuple[str, ...]
    transport: tuple[str, ...]
    cert_validation: tuple[str, ...]
    ca_trust_path: tuple[str, ...]
    path: tuple[str, ...]
    cert_pem: tuple[str, ...] = ()
    cert_key_pem: tuple[str, ...] = ()
    password: tuple[str, ...] = ()
    kerberos_hostname: tuple[str, ...] = ()
    kerberos_service: tuple[str, ...] = ()
    kinit_mode: tuple[str, ...] = ()
    # Set, they would change how Ansible logs on in ways hvbpa does not follow: named in a warning.
    not_honoured: tuple[str, ...] = ()


_PLUGINS = {
    "winrm": _Plugin(
        address=("ansible_host", "ansible_winrm_host"),
        user=("ansible_user", "ansible_winrm_user"),
        port=("ansible_port", "ansible_winrm_port"),
        scheme=("ansible_winrm_scheme",),
        transport=("ansible_winrm_transport",),
        cert_validation=("ansible_winrm_server_cert_validation",),
        ca_trust_path=("ansible_winrm_ca_trust_path",),
        path=("ansible_winrm_path",),
        cert_pem=("ansible_winrm_cert_pem",),
        cert_key_pem=("ansible_winrm_cert_key_pem",),
        password=("ansible_password", "ansible_winrm_password", "ansible_winrm_pass"),
        kerberos_hostname=("ansible_winrm_kerberos_hostname_override",),
        kerberos_service=("ansible_winrm_service",),
        kinit_mode=("ansible_winrm_kinit_mode",),
        # hvbpa gets tickets through GSSAPI, not a kinit command; it never delegates credentials (the
        # collection needs no second hop); and pywinrm ignores a realm, for Ansible as for hvbpa.
        not_honoured=(
            "ansible_winrm_kinit_cmd",
            "ansible_winrm_kinit_args",
            "ansible_winrm_kinit_env_vars",
            "ansible_winrm_kerberos_delegation",
            "ansible_winrm_realm",
        ),
    ),
    "psrp": _Plugin(
        address=("ansible_host", "ansible_psrp_host"),
        user=("ansible_user", "ansible_psrp_user"),
        port=("ansible_port", "ansible_psrp_port"),
        scheme=("ansible_psrp_protocol",),
        transport=("ansible_psrp_auth",),
        cert_validation=("ansible_psrp_cert_validation",),
        ca_trust_path=("ansible_psrp_cert_trust_path", "ansible_psrp_ca_cert"),
        path=("ansible_psrp_path",),
        cert_pem=("ansible_psrp_certificate_pem",),
        cert_key_pem=("ansible_psrp_certificate_key_pem",),
        password=("ansible_password", "ansible_psrp_password", "ansible_psrp_pass"),
        kerberos_hostname=("ansible_psrp_negotiate_hostname_override",),
        kerberos_service=("ansible_psrp_negotiate_service",),
        not_honoured=("ansible_psrp_negotiate_delegate",),
    ),
}

# pywinrm's names for basic authentication; 'negotiate' (psrp's default) leaves the choice to the CLI.
_TRANSPORT_ALIASES = {"plaintext": "basic", "ssl": "basic"}


class _HostVars:
    def __init__(self, host: str, variables: dict[str, Value]) -> None:
        self.host = host
        self.variables = variables

    def get(self, names: tuple[str, ...], *, vault_ok: bool = False) -> tuple[str, object, str] | None:
        """The last of the names that is set: (name, value, where)."""
        found = None
        for name in names:
            value = self.variables.get(name)
            if value is not None and value.value is not None:
                found = (name, value.value, value.where)
        if found is not None and isinstance(found[1], Vault) and not vault_ok:
            raise self.error(found[2], f"{found[0]} is vault-encrypted, which hvbpa cannot read")
        return found

    def error(self, where: str, message: str) -> TargetError:
        return TargetError(where, f"{message} (host {self.host})")

    def text(self, names: tuple[str, ...]) -> tuple[str, str, str] | None:
        found = self.get(names)
        if found is None:
            return None
        name, value, where = found
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.error(where, f"{name} must be a string, got {shown(value)}")
        text = str(value).strip()
        if "{{" in text or "{%" in text:
            raise self.error(where, f"{name} is a Jinja2 template, which hvbpa does not evaluate: {text!r}")
        return (name, text, where) if text else None

    def choice(self, names: tuple[str, ...], choices: tuple[str, ...]) -> str | None:
        found = self.text(names)
        if found is None:
            return None
        name, text, where = found
        if text.lower() not in choices:
            raise self.error(where, f"{name} must be {' or '.join(choices)}, got {text!r}")
        return text.lower()


def _connection(variables: _HostVars) -> str | None:
    found = variables.text(("ansible_connection",))
    if found is None:
        return None
    name = found[1]
    # Fully qualified names of the same plugins.
    for prefix in ("ansible.builtin.", "ansible.legacy."):
        name = name.removeprefix(prefix)
    return name


def _target(host: str, merged: dict[str, Value], defined_at: str, label: str) -> Target | None:
    variables = _HostVars(host, merged)
    connection = _connection(variables)
    if connection not in (None, *_PLUGINS):
        return None
    plugin = _PLUGINS[connection or "winrm"]
    found = variables.text(plugin.address)
    if found is not None:
        address = check_address(found[1], found[2])
    else:
        try:
            address = check_address(host, defined_at)
        except TargetError as exc:
            raise TargetError(exc.where, f"{exc.message}; set ansible_host to the address to connect to") from None
    port = _port(variables, plugin)
    scheme = variables.choice(plugin.scheme, SCHEMES)
    if scheme is None and port is not None:
        # Ansible's rule when only the port is given; leaving it to the CLI default could mean https to 5985.
        scheme = "http" if port == 5985 else "https"
    path = variables.text(plugin.path)
    if path is not None and path[1].strip("/").lower() != "wsman":
        raise variables.error(path[2], f"{path[0]} must be /wsman, got {path[1]!r}")
    user = variables.text(plugin.user)
    ca_trust_path = variables.text(plugin.ca_trust_path)
    cert_pem = variables.text(plugin.cert_pem) if plugin.cert_pem else None
    cert_key_pem = variables.text(plugin.cert_key_pem) if plugin.cert_key_pem else None
    password, vaulted = _password(variables, plugin)
    kerberos_hostname = variables.text(plugin.kerberos_hostname) if plugin.kerberos_hostname else None
    kerberos_service = variables.text(plugin.kerberos_service) if plugin.kerberos_service else None
    kinit_mode = variables.choice(plugin.kinit_mode, ("managed", "manual")) if plugin.kinit_mode else None
    return Target(
        # An inventory name is only a label, but one with user information is never printed as is.
        name=redact(host),
        address=address,
        port=port,
        transport=_transport(variables, plugin),
        scheme=scheme,
        username=user[1] if user else None,
        server_cert_validation=variables.choice(plugin.cert_validation, CERT_VALIDATION),
        ca_trust_path=ca_trust_path[1] if ca_trust_path else None,
        cert_pem=cert_pem[1] if cert_pem else None,
        cert_key_pem=cert_key_pem[1] if cert_key_pem else None,
        source=f"{label}: host {redact(host)}",
        origin=_origin(defined_at, label),
        password=password,
        password_vaulted=vaulted,
        kerberos_hostname=kerberos_hostname[1] if kerberos_hostname else None,
        kerberos_service=kerberos_service[1] if kerberos_service else None,
        kerberos_managed=None if kinit_mode is None else kinit_mode == "managed",
        ignored_vars=tuple(name for name in plugin.not_honoured if variables.get((name,), vault_ok=True)),
    )


def _origin(defined_at: str, label: str) -> Origin:
    """The inventory line that first named the host (``defined_at`` is ``label:line``)."""
    line = defined_at.removeprefix(f"{label}:")
    return Origin(label, int(line) if defined_at.startswith(f"{label}:") and line.isdigit() else 1)


def _password(variables: _HostVars, plugin: _Plugin) -> tuple[str | None, str | None]:
    """(plain password, where a vaulted one is): the value itself never goes into a message."""
    found = variables.get(plugin.password, vault_ok=True)
    if found is None:
        return None, None
    name, value, where = found
    if isinstance(value, Vault) or (isinstance(value, str) and value.lstrip().startswith("$ANSIBLE_VAULT;")):
        return None, f"{where}: {name} is vault-encrypted"
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise variables.error(where, f"{name} must be a string")
    text = str(value)
    if "{{" in text or "{%" in text:
        # Most often "{{ vault_password }}": the same as a vaulted value to hvbpa.
        return None, f"{where}: {name} is a Jinja2 template"
    return (text or None), None


def _port(variables: _HostVars, plugin: _Plugin) -> int | None:
    found = variables.text(plugin.port)
    if found is None:
        return None
    name, text, where = found
    try:
        return parse_port(text, where, name)
    except TargetError as exc:
        raise variables.error(exc.where, exc.message) from None


def _transport(variables: _HostVars, plugin: _Plugin) -> str | None:
    found = variables.get(plugin.transport)
    if found is None:
        return None
    name, value, where = found
    items: list[object] = list(value) if isinstance(value, list | tuple) else [value]
    words: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise variables.error(where, f"{name} must be a string or a list of strings, got {shown(value)}")
        words.extend(word.strip().lower() for word in item.split(",") if word.strip())
    for word in words:
        if "{{" in word or "{%" in word:
            raise variables.error(where, f"{name} is a Jinja2 template, which hvbpa does not evaluate: {shown(value)}")
        if word == "negotiate":
            return None
        word = _TRANSPORT_ALIASES.get(word, word)
        if word in TRANSPORTS:
            return word
    if not words:
        return None
    supported = ", ".join(TRANSPORTS)
    raise variables.error(where, f"{name} names no transport hvbpa supports ({supported}), got {shown(value)}")
