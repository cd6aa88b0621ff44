"""read_inventory with group_vars/ and host_vars/ beside the inventory file."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from pathlib import Path

import pytest

from hvbpa.targets import Target, TargetError, read_inventory

DATA = Path(__file__).parent / "data" / "vars_dirs"

VAULT_FILE = "$ANSIBLE_VAULT;1.1;AES256\n6231336539666234\n"
VAULT_VALUE = "!vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6231336539666234\n"


def _tree(root: Path, files: dict[str, str]) -> Path:
    """Write files (paths relative to root) and return root / 'inventory.ini'."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "inventory.ini"


def _error(path: Path, limit: str | None = None) -> str:
    with pytest.raises(TargetError) as caught:
        read_inventory(path, limit)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def _user(path: Path) -> list[str | None]:
    return [t.username for t in read_inventory(path)]


# --- The fixture -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["inventory.ini", "inventory.yml"])
def test_vars_dirs_fixture(name: str) -> None:
    hyperv = Target(
        name="",
        address="",
        port=5986,  # group_vars/all.yml
        transport="certificate",  # group_vars/hyperv.yml (child) beats group_vars/windows/ (parent)
        scheme="https",  # group_vars/all.yml beats [all:vars]
        # group_vars/windows/10-connection.yml; the hidden, backup and .txt files that say otherwise are skipped
        username="CORP\\svc-hvbpa",
        server_cert_validation="ignore",  # group_vars/hyperv.yml beats group_vars/all.yml
        ca_trust_path="/etc/pki/corp-ca.pem",  # group_vars/all.yml beats [all:vars]
        cert_pem="/etc/hvbpa/client.pem",  # group_vars/windows/extra/cert.json: subdirectories are read
        # "{{ vault_ansible_password }}": hvbpa needs HVBPA_PASSWORD or the keyring, and says where it was asked
        password_vaulted=f"{DATA / 'group_vars' / 'windows' / '10-connection.yml'}:3: "
        "ansible_password is a Jinja2 template",
    )
    expected = [
        replace(hyperv, name="hv01", address="hv01", port=15986),  # host_vars/hv01.yml beats the inline host var
        replace(hyperv, name="hv02", address="hv02", username="hv02-b"),  # host_vars/hv02/: b.yml after a.yml
        # host_vars/hv03.json, JSON indented with tabs
        replace(
            hyperv,
            name="hv03",
            address="hv03",
            port=5985,
            scheme="http",
            ca_trust_path="C:\\ProgramData\\certs\\ca.pem",
        ),
        replace(
            hyperv,
            name="dc01",
            address="dc01",
            transport="kerberos",  # group_vars/windows/20-kerberos.yaml after 10-connection.yml
            username="CORP\\svc-dc",  # group_vars/dc, without extension, is found before dc.yml
            # As in Ansible, group_vars files beat all inline group vars, even a deeper group's: so
            # group_vars/all.yml beats [dc:vars] ansible_winrm_server_cert_validation=ignore, and
            # group_vars/windows/ beats [dc:vars] ansible_winrm_cert_pem.
            server_cert_validation="validate",
        ),
    ]
    targets = read_inventory(DATA / name)
    assert [t.name for t in targets] == ["hv01", "hv02", "hv03", "dc01"]  # jump01 is an ssh host
    for got, want in zip(targets, expected, strict=True):
        for field in dataclasses.fields(Target):
            if field.name not in ("source", "origin"):
                assert (field.name, getattr(got, field.name)) == (field.name, getattr(want, field.name)), got.name
        assert got.source == f"{DATA / name}: host {got.name}"


def test_vars_dirs_fixture_with_limit() -> None:
    assert [t.name for t in read_inventory(DATA / "inventory.ini", "dc")] == ["dc01"]


# --- Precedence ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # inline group var < group_vars file of the same group
        (
            {"inventory.ini": "[g]\nh\n[g:vars]\nansible_user=inline\n", "group_vars/g.yml": "ansible_user: file\n"},
            "file",
        ),
        # group_vars file of the parent < group_vars file of the child
        (
            {
                "inventory.ini": "[p:children]\nc\n[c]\nh\n",
                "group_vars/c.yml": "ansible_user: child\n",
                "group_vars/p.yml": "ansible_user: parent\n",
                "group_vars/all.yml": "ansible_user: all\n",
            },
            "child",
        ),
        # inline vars of a deeper group < group_vars/all (ansible-core's default VARIABLE_PRECEDENCE)
        (
            {"inventory.ini": "[g]\nh\n[g:vars]\nansible_user=inline-g\n", "group_vars/all": "ansible_user: all\n"},
            "all",
        ),
        # group_vars files < inline host var < host_vars file
        (
            {"inventory.ini": "[g]\nh ansible_user=inline-host\n", "group_vars/g.yml": "ansible_user: group\n"},
            "inline-host",
        ),
        (
            {"inventory.ini": "[g]\nh ansible_user=inline-host\n", "host_vars/h.yaml": "ansible_user: host-file\n"},
            "host-file",
        ),
        # groups of equal depth: the later name wins, in files as inline...
        (
            {
                "inventory.ini": "[b]\nh\n[a]\nh\n",
                "group_vars/a.yml": "ansible_user: from-a\n",
                "group_vars/b.yml": "ansible_user: from-b\n",
            },
            "from-b",
        ),
        # ...unless the inventory gives ansible_group_priority
        (
            {
                "inventory.ini": "[b]\nh\n[a]\nh\n[b:vars]\nansible_group_priority=0\n",
                "group_vars/a.yml": "ansible_user: from-a\n",
                "group_vars/b.yml": "ansible_user: from-b\n",
            },
            "from-a",
        ),
        # ungrouped is a group like any other
        ({"inventory.ini": "h\n", "group_vars/ungrouped.yml": "ansible_user: ungrouped\n"}, "ungrouped"),
        # the first of NAME, NAME.yml, NAME.yaml, NAME.json is read, and only it
        (
            {
                "inventory.ini": "[g]\nh\n",
                "group_vars/g.yaml": "ansible_user: yaml\n",
                "group_vars/g.json": '{"ansible_user": "json"}',
            },
            "yaml",
        ),
        (
            {
                "inventory.ini": "[g]\nh\n",
                "group_vars/g/z.yml": "ansible_user: dir\n",
                "group_vars/g.yml": "ansible_user: file\n",
            },
            "dir",
        ),
        # directory files in name order, subdirectories in place; unlisted extensions are skipped
        (
            {
                "inventory.ini": "[g]\nh\n",
                "group_vars/g/a.yml": "ansible_user: a\n",
                "group_vars/g/b/x.yml": "ansible_user: b-x\n",
                "group_vars/g/c.json": '{"ansible_winrm_scheme": "https"}',
                "group_vars/g/d.yml.bak": "ansible_user: bak\n",
                "group_vars/g/e.d/x.yml": "ansible_user: dir-with-extension\n",
            },
            "b-x",
        ),
        # vars files of groups the host is not in, and of other hosts, do not apply
        (
            {
                "inventory.ini": "[g]\nh\n[other]\nh2\n",
                "group_vars/other.yml": "ansible_user: other\n",
                "host_vars/h2.yml": "ansible_user: h2\n",
            },
            None,
        ),
        # empty and comment-only files are fine
        ({"inventory.ini": "[g]\nh\n", "group_vars/g.yml": "# nothing yet\n", "host_vars/h": ""}, None),
    ],
)
def test_precedence(tmp_path: Path, files: dict[str, str], expected: str | None) -> None:
    assert _user(_tree(tmp_path, files))[0] == expected


def test_host_port_in_inventory_loses_to_host_vars(tmp_path: Path) -> None:
    path = _tree(tmp_path, {"inventory.ini": "[g]\nh:5985\n", "host_vars/h.yml": "ansible_port: 5986\n"})
    assert [(t.port, t.scheme) for t in read_inventory(path)] == [(5986, "https")]


def test_yaml_inventory_reads_the_same_dirs(tmp_path: Path) -> None:
    _tree(tmp_path, {"inv.yml": "g:\n  hosts:\n    h:\n", "group_vars/g.yml": "ansible_user: file\n"})
    assert [t.username for t in read_inventory(tmp_path / "inv.yml")] == ["file"]


def test_value_types(tmp_path: Path) -> None:
    path = _tree(
        tmp_path,
        {
            "inventory.ini": "[g]\nh\n",
            "group_vars/g.yml": (
                "ansible_port: 5986\nansible_user: 1234\nansible_become: true\n"
                "ansible_winrm_transport: [legacy, Kerberos]\n"
            ),
        },
    )
    assert [(t.port, t.username, t.transport) for t in read_inventory(path)] == [(5986, "1234", "kerberos")]


# --- What is skipped ---------------------------------------------------------------------------


def test_hidden_backup_and_vault_encrypted_files_are_skipped(tmp_path: Path) -> None:
    path = _tree(
        tmp_path,
        {
            "inventory.ini": "[g]\nh\n",
            "group_vars/g/vars.yml": "ansible_user: visible\n",
            "group_vars/g/.hidden.yml": "ansible_user: [unclosed\n",
            "group_vars/g/vars.yml~": "ansible_user: [unclosed\n",
            "group_vars/g/.git/config.yml": "ansible_user: [unclosed\n",
            "group_vars/g/vault.yml": VAULT_FILE,
            "host_vars/h/.secret": "ansible_user: [unclosed\n",
        },
    )
    assert _user(path) == ["visible"]


def test_symlinks_are_skipped(tmp_path: Path) -> None:
    path = _tree(
        tmp_path,
        {
            "inventory.ini": "[g]\nh\n",
            "elsewhere/g.yml": "ansible_user: linked\n",
            "elsewhere/vars/h.yml": "ansible_user: linked-dir\n",
            "group_vars/g.yaml": "ansible_user: real\n",
        },
    )
    try:
        (tmp_path / "group_vars/g.yml").symlink_to(tmp_path / "elsewhere/g.yml")
        (tmp_path / "host_vars").symlink_to(tmp_path / "elsewhere/vars", target_is_directory=True)
    except OSError:
        pytest.skip("cannot create symlinks here")
    assert _user(path) == ["real"]  # g.yml, a link, is passed over for g.yaml


def test_group_vars_that_is_a_file_is_ignored(tmp_path: Path) -> None:
    path = _tree(tmp_path, {"inventory.ini": "[g]\nh\n", "group_vars": "ansible_user: x\n"})
    assert _user(path) == [None]


def test_unselected_hosts_vars_files_are_not_read(tmp_path: Path) -> None:
    path = _tree(
        tmp_path,
        {"inventory.ini": "[good]\nh1\n[bad]\nh2\n", "group_vars/bad.yml": "a: [\n", "host_vars/h2.yml": "a: [\n"},
    )
    assert [t.name for t in read_inventory(path, "good")] == ["h1"]


# --- Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [
        ("group_vars/g.yml", "ansible_user: svc\nansible_port: [5986\n", 3, "invalid YAML: expected ',' or ']'"),
        ("group_vars/g/10.yml", "ok: 1\n  bad: indent\n", 2, "invalid YAML: mapping values are not allowed here"),
        ("host_vars/h", "a: 1\nb: *nosuch\n", 2, "invalid YAML: found undefined alias 'nosuch'"),
        ("group_vars/all.json", '{\n  "a": 1\n  "b": 2\n}\n', 3, "invalid JSON: Expecting ',' delimiter"),
        ("group_vars/all.json", '{\n\t"a": 1\n\t"b": 2\n}\n', 3, "invalid JSON: Expecting ',' delimiter"),
        # without the .json extension, the YAML error it is
        ("group_vars/all", '{\n\t"a": 1\n\t"b": 2\n}\n', 2, "invalid YAML: found character '\\t'"),
        ("host_vars/h.yml", "- ansible_user: svc\n", 1, "a variables file must be a mapping of variable names"),
    ],
)
def test_malformed_vars_file_names_file_and_line(tmp_path: Path, name: str, text: str, line: int, message: str) -> None:
    path = _tree(tmp_path, {"inventory.ini": "[g]\nh\n", name: text})
    error = _error(path)
    assert error.startswith(f"{tmp_path / name}:{line}: {message}"), error


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("group_vars/g.yml", f"ansible_port: 5986\nansible_user: {VAULT_VALUE}", "2: ansible_user is vault-encrypted"),
        (
            "host_vars/h/conn.yml",
            f"ansible_winrm_cert_pem: {VAULT_VALUE}",
            "1: ansible_winrm_cert_pem is vault-encrypted",
        ),
        (
            "group_vars/all.yml",
            "ansible_host: '{{ inventory_hostname }}.corp'\n",
            "1: ansible_host is a Jinja2 template",
        ),
        ("group_vars/g", "\nansible_port: 70000\n", "2: ansible_port must be 1-65535, got '70000'"),
        ("host_vars/h.yml", "ansible_winrm_scheme: ftp\n", "1: ansible_winrm_scheme must be http or https"),
    ],
)
def test_bad_used_variable_names_its_file_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = _tree(tmp_path, {"inventory.ini": "[g]\nh\n", name: text})
    error = _error(path)
    assert error.startswith(f"{tmp_path / name}:{message}"), error
    assert error.endswith("(host h)"), error


def test_vault_and_templates_in_unused_variables_are_fine(tmp_path: Path) -> None:
    path = _tree(
        tmp_path,
        {
            "inventory.ini": "[g]\nh\n",
            "group_vars/g.yml": f"ansible_user: svc\nansible_password: {VAULT_VALUE}",
            "host_vars/h.yml": "ansible_become_password: '{{ vault_pw }}'\n",
        },
    )
    assert _user(path) == ["svc"]


def test_overridden_vault_value_is_fine(tmp_path: Path) -> None:
    path = _tree(
        tmp_path,
        {
            "inventory.ini": "[g]\nh\n",
            "group_vars/g.yml": f"ansible_user: {VAULT_VALUE}",
            "host_vars/h.yml": "ansible_user: plain\n",
        },
    )
    assert _user(path) == ["plain"]
