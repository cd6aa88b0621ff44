"""read_inventory: fixture inventories, precedence, ranges, connection variables, --limit, errors."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.targets import Origin, Target, TargetError, read_inventory

DATA = Path(__file__).parent / "data"


def _write(tmp_path: Path, text: str, name: str = "inventory.ini") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _fields(target: Target) -> dict[str, object]:
    fields = dataclasses.asdict(target)
    del fields["source"], fields["origin"]  # where, not what: asserted on their own
    for key in ("password", "password_vaulted", "kerberos_hostname", "kerberos_service", "kerberos_managed"):
        if fields[key] is None:
            del fields[key]
    if not fields["ignored_vars"]:
        del fields["ignored_vars"]
    return fields


def _names(path: Path, limit: str | None = None) -> list[str]:
    return [t.name for t in read_inventory(path, limit)]


def _error(path: Path, limit: str | None = None) -> str:
    with pytest.raises(TargetError) as caught:
        read_inventory(path, limit)
    assert "\n" not in str(caught.value)
    return str(caught.value)


# --- Fixture inventories -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["fleet.ini", "fleet.yml"])
def test_fleet_fixture(name: str) -> None:
    expected = json.loads((DATA / "fleet.expected.json").read_text(encoding="utf-8"))
    targets = read_inventory(DATA / name)
    assert [_fields(t) for t in targets] == expected
    assert targets[4].source == f"{DATA / name}: host hv-b1"


@pytest.mark.parametrize("name", ["precedence.ini", "precedence.yml"])
def test_precedence_fixture(name: str) -> None:
    got = {t.name: (t.username, t.port) for t in read_inventory(DATA / name)}
    assert got == {
        "h1": ("from-child", 1002),  # child group beats parent group beats all
        "h2": ("from-host", 1002),  # host variables beat every group
        "h3": ("from-child", 1004),  # ansible_port on the host beats host:port
        "h4": ("from-child", 1005),  # host:port beats group variables
        "h5": ("from-beta", 1001),  # groups of equal depth: the later name wins
        "h6": ("from-low", 1001),  # ...unless ansible_group_priority says otherwise
    }


def test_ini_and_yaml_inventories_are_detected_without_extension(tmp_path: Path) -> None:
    ini = (DATA / "fleet.ini").read_text(encoding="utf-8")
    yml = (DATA / "fleet.yml").read_text(encoding="utf-8")
    expected = [_fields(t) for t in read_inventory(DATA / "fleet.ini")]
    for name, text in [("hosts", ini), ("inventory", yml), ("inv.txt", "---\n" + yml), ("inv.cfg", ini)]:
        assert [_fields(t) for t in read_inventory(_write(tmp_path, text, name))] == expected, name


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("plain", "web01\nweb02:5986\n", ["web01", "web02"]),
        ("plain", "; only a comment\n", []),
        ("plain", "", []),
        ("inv.yml", "", []),
        ("inv.yml", "# nothing\n", []),
        ("inv.json", '{"all": {"hosts": {"web01": {"ansible_port": 5986}}}}', ["web01"]),
        ("flow", "all: {hosts: {web01: }}\n", ["web01"]),
        ("bom.ini", "\ufeff[g]\r\nweb01\r\nweb02 ansible_port=5986\r\n", ["web01", "web02"]),
    ],
)
def test_small_inventories(tmp_path: Path, name: str, text: str, expected: list[str]) -> None:
    assert _names(_write(tmp_path, text, name)) == expected


def test_yaml_anchors_and_merge_keys(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "all:\n"
        "  hosts:\n"
        "    web01: &winrm\n"
        "      ansible_winrm_transport: kerberos\n"
        "      ansible_port: 5986\n"
        "    web02:\n"
        "      <<: *winrm\n"
        "      ansible_port: 5985\n",
        "inv.yml",
    )
    assert [(t.transport, t.port) for t in read_inventory(path)] == [("kerberos", 5986), ("kerberos", 5985)]


def test_host_in_several_groups_is_one_target_in_first_seen_order(tmp_path: Path) -> None:
    path = _write(tmp_path, "[b]\nweb02\nweb01\n[a]\nweb01\nweb03\n")
    assert _names(path) == ["web02", "web01", "web03"]


def test_yaml_values_unsafe_and_vault_where_unused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "all:\n"
        "  hosts:\n"
        "    web01:\n"
        "      ansible_user: !unsafe 'svc{x}'\n"
        "      ansible_password: !vault |\n"
        "        $ANSIBLE_VAULT;1.1;AES256\n"
        "        3036\n",
        "inv.yml",
    )
    assert [t.username for t in read_inventory(path)] == ["svc{x}"]


# --- Ranges --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("web[01:03].example.com", ["web01.example.com", "web02.example.com", "web03.example.com"]),
        ("[a:c]-node", ["a-node", "b-node", "c-node"]),
        ("db[1:10:3]", ["db1", "db4", "db7", "db10"]),
        ("h[:2]", ["h0", "h1", "h2"]),
        ("r[1:2]n[a:b]", ["r1na", "r1nb", "r2na", "r2nb"]),
        ("n[8:11]", ["n8", "n9", "n10", "n11"]),
        ("x[y:B]", ["xy", "xz", "xA", "xB"]),  # Ansible's letter order is a-z then A-Z
    ],
)
def test_host_ranges(tmp_path: Path, pattern: str, expected: list[str]) -> None:
    assert _names(_write(tmp_path, f"[g]\n{pattern}\n")) == expected
    assert _names(_write(tmp_path, f"g:\n  hosts:\n    '{pattern}':\n", "inv.yml")) == expected


def test_host_range_with_port(tmp_path: Path) -> None:
    targets = read_inventory(_write(tmp_path, "[g]\nweb[1:2]:5986\n"))
    assert [(t.name, t.port, t.scheme) for t in targets] == [("web1", 5986, "https"), ("web2", 5986, "https")]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("web[1]", "host range must be [begin:end] or [begin:end:step], got '[1]'"),
        ("web[1:2:3:4]", "host range must be [begin:end] or [begin:end:step], got '[1:2:3:4]'"),
        ("web[1:]", "host range has no end: '[1:]'"),
        ("web[1:3", "unclosed '[' in 'web[1:3'"),
        ("web[01:100]", "zero-padded host range needs begin and end of equal width, got '[01:100]'"),
        ("web[3:1]", "host range begins after it ends: '[3:1]'"),
        ("web[c:a]", "host range begins after it ends: '[c:a]'"),
        ("web[a:3]", "host range bounds must be two numbers or two letters, got '[a:3]'"),
        ("web[1:3:0]", "host range step must be a positive number, got '0'"),
        ("web[1:3:x]", "host range step must be a positive number, got 'x'"),
        ("web[1:20000]", "host range '[1:20000]' has more than 10000 hosts"),
        ("w[1:200]x[1:200]", "host pattern 'w[1:200]x[1:200]' has more than 10000 hosts"),
    ],
)
def test_host_range_errors(tmp_path: Path, pattern: str, message: str) -> None:
    path = _write(tmp_path, f"# line 1\n[g]\n{pattern}\n")
    assert _error(path) == f"{path}:3: {message}"


# --- Connection variables ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("h", {}),
        ("h ansible_connection=winrm", {}),
        ("h ansible_connection=ansible.builtin.winrm", {}),
        ("h ansible_connection=ssh", None),
        ("h ansible_connection=local", None),
        ("h ansible_connection=ansible.netcommon.network_cli", None),
        ("h ansible_host=10.1.1.1", {"address": "10.1.1.1"}),
        ("h ansible_host=fe80::5", {"address": "fe80::5"}),
        ("h ansible_host=[fe80::5]", {"address": "fe80::5"}),
        ("h ansible_host=10.1.1.1 ansible_winrm_host=10.2.2.2", {"address": "10.2.2.2"}),
        ("h ansible_port=5985", {"port": 5985, "scheme": "http"}),
        ("h ansible_port=5986", {"port": 5986, "scheme": "https"}),
        ("h ansible_port=8080", {"port": 8080, "scheme": "https"}),
        ("h ansible_port='5985'", {"port": 5985, "scheme": "http"}),
        ("h ansible_port=5985 ansible_winrm_scheme=HTTPS", {"port": 5985, "scheme": "https"}),
        ("h ansible_port=5985 ansible_winrm_port=5986", {"port": 5986, "scheme": "https"}),
        ("h ansible_winrm_scheme=http", {"scheme": "http"}),
        ("h ansible_user=CORP\\\\svc", {"username": "CORP\\svc"}),
        ("h ansible_winrm_user=svc2 ansible_user=svc1", {"username": "svc2"}),
        ("h ansible_winrm_server_cert_validation=Ignore", {"server_cert_validation": "ignore"}),
        ("h ansible_winrm_ca_trust_path=/etc/ca.pem", {"ca_trust_path": "/etc/ca.pem"}),
        ("h ansible_winrm_path=/wsman", {}),
        ("h ansible_winrm_transport=ntlm", {"transport": "ntlm"}),
        ("h ansible_winrm_transport=NTLM", {"transport": "ntlm"}),
        ("h ansible_winrm_transport=plaintext", {"transport": "basic"}),
        ("h ansible_winrm_transport=ssl", {"transport": "basic"}),
        ("h ansible_winrm_transport=kerberos,ntlm", {"transport": "kerberos"}),
        ("h 'ansible_winrm_transport=legacy, credssp'", {"transport": "credssp"}),
        ("h ansible_winrm_transport=\"['certificate', 'ntlm']\"", {"transport": "certificate"}),
        ("h ansible_winrm_transport=", {}),
        ("h ansible_winrm_transport=foo,negotiate,ntlm", {}),
        ("h ansible_some_unknown_var=1 foo=bar", {}),
        ("h ansible_user=''", {}),
        # psrp reads its own variables, not the winrm ones.
        (
            "h ansible_connection=psrp ansible_psrp_auth=kerberos ansible_psrp_protocol=http "
            "ansible_psrp_cert_validation=ignore ansible_psrp_ca_cert=/ca.pem ansible_winrm_transport=basic",
            {"transport": "kerberos", "scheme": "http", "server_cert_validation": "ignore", "ca_trust_path": "/ca.pem"},
        ),
        ("h ansible_connection=psrp ansible_psrp_auth=negotiate", {}),
        ("h ansible_connection=psrp ansible_psrp_port=5985 ansible_winrm_port=1", {"port": 5985, "scheme": "http"}),
    ],
)
def test_connection_variables(tmp_path: Path, line: str, expected: dict[str, object] | None) -> None:
    targets = read_inventory(_write(tmp_path, f"[g]\n{line}\n"))
    if expected is None:
        assert targets == []
    else:
        assert [_fields(t) for t in targets] == [{**_fields(Target("h", "h")), **expected}]


def test_yaml_transport_list_and_int_values(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "g:\n  hosts:\n    h:\n      ansible_winrm_transport: [legacy, NTLM]\n      ansible_user: 1234\n",
        "inv.yml",
    )
    assert [(t.transport, t.username) for t in read_inventory(path)] == [("ntlm", "1234")]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("h ansible_port=99999", "ansible_port must be 1-65535, got '99999' (host h)"),
        ("h ansible_port=http", "ansible_port must be 1-65535, got 'http' (host h)"),
        ("h ansible_winrm_port=0", "ansible_winrm_port must be 1-65535, got '0' (host h)"),
        ("h:99999", "port must be 1-65535, got '99999'"),
        ("h ansible_winrm_scheme=ftp", "ansible_winrm_scheme must be http or https, got 'ftp' (host h)"),
        (
            "h ansible_winrm_server_cert_validation=maybe",
            "ansible_winrm_server_cert_validation must be validate or ignore, got 'maybe' (host h)",
        ),
        (
            "h ansible_winrm_transport=foo,bar",
            "ansible_winrm_transport names no transport hvbpa supports (ntlm, kerberos, credssp, certificate, basic),"
            " got 'foo,bar' (host h)",
        ),
        (
            "h ansible_winrm_transport=[1]",
            "ansible_winrm_transport must be a string or a list of strings, got [1] (host h)",
        ),
        ("h ansible_winrm_path=/other", "ansible_winrm_path must be /wsman, got '/other' (host h)"),
        (
            "h ansible_host='{{ name }}.corp'",
            "ansible_host is a Jinja2 template, which hvbpa does not evaluate: '{{ name }}.corp' (host h)",
        ),
        (
            "h ansible_connection='{{ conn }}'",
            "ansible_connection is a Jinja2 template, which hvbpa does not evaluate: '{{ conn }}' (host h)",
        ),
        (
            "h ansible_winrm_transport='{{ t }}'",
            "ansible_winrm_transport is a Jinja2 template, which hvbpa does not evaluate: '{{ t }}' (host h)",
        ),
        ("h ansible_host=True", "ansible_host must be a string, got True (host h)"),
        ("h ansible_host=a.b:5986", "an address must not carry a port, got 'a.b:5986'"),
        ("h ansible_host=a,b", "invalid character ',' in host name 'a,b'"),
        ("h ansible_host", "expected key=value after the host name, got 'ansible_host'"),
        ('h ansible_host="unclosed', 'cannot parse host line: no closing quotation (")'),
        ("h!x", "invalid character '!' in host name 'h!x'; set ansible_host to the address to connect to"),
    ],
)
def test_variable_errors_name_the_line_that_set_them(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path, f"[g]\n\n{line}\n")
    assert _error(path) == f"{path}:3: {message}"


def test_group_variable_error_names_the_group_vars_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "[g]\nweb01\n[g:vars]\nansible_user=svc\nansible_port=70000\n")
    assert _error(path) == f"{path}:5: ansible_port must be 1-65535, got '70000' (host web01)"


def test_bad_variables_of_unselected_hosts_do_not_matter(tmp_path: Path) -> None:
    path = _write(tmp_path, "[good]\nweb01\n[bad]\nweb02 ansible_port=70000\n")
    assert _names(path, "good") == ["web01"]


def test_yaml_variable_error_names_the_yaml_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "all:\n  vars:\n    ansible_winrm_scheme: https\n  hosts:\n    web01:\n      ansible_user: !vault |\n"
        "        $ANSIBLE_VAULT;1.1;AES256\n",
        "inv.yml",
    )
    assert _error(path) == f"{path}:6: ansible_user is vault-encrypted, which hvbpa cannot read (host web01)"


def test_yaml_host_name_that_is_no_address(tmp_path: Path) -> None:
    path = _write(tmp_path, "all:\n  hosts:\n    'Hyper-V node 1':\n", "inv.yml")
    assert _error(path) == (
        f"{path}:3: host name must not contain spaces: 'Hyper-V node 1'; set ansible_host to the address to connect to"
    )
    path = _write(tmp_path, "all:\n  hosts:\n    'Hyper-V node 1': {ansible_host: 10.0.0.1}\n", "inv.yml")
    assert [(t.name, t.address) for t in read_inventory(path)] == [("Hyper-V node 1", "10.0.0.1")]


# --- --limit -------------------------------------------------------------------------------

A = ["hv-a01.example.com", "hv-a02.example.com", "hv-a03.example.com"]
B = ["hv-b1", "hv-b2"]
MGMT = ["hv-mgmt.example.com"]


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("all", MGMT + A + B),
        ("*", MGMT + A + B),
        ("cluster_a", A),
        ("hyperv", A + B),
        ("ungrouped", MGMT),
        ("hv-b1", ["hv-b1"]),
        ("hv-b2,hv-b1", B),  # output keeps inventory order
        ("cluster_b:hv-a02.example.com", [A[1], *B]),
        ("hyperv:!cluster_b", A),
        ("hyperv,!hv-a02.example.com", [A[0], A[2], *B]),
        ("!hv-a02.example.com,hyperv", [A[0], A[2], *B]),  # exclusions apply last, wherever written
        ("hyperv:&cluster_b", B),
        ("hyperv:&cluster_a:!hv-a03.example.com", A[:2]),
        ("!cluster_a", MGMT + B),  # only exclusions: from all
        ("&cluster_b", B),
        ("hv-a*", A),
        ("hv-?1", ["hv-b1"]),
        ("cluster_*", A + B),
        ("~hv-[ab]0?1", [A[0], "hv-b1"]),
        ("~(?i)HV-B", B),
        ("cluster_a[0]", A[:1]),
        ("cluster_a[-1]", A[2:]),
        ("cluster_a[1:]", A[1:]),
        ("cluster_a[0:1]", A[:2]),
        ("linux", []),  # jump01 matches but is an ssh host
        ("jump01,hv-b1", ["hv-b1"]),
        (" cluster_b , ", B),
        # Patterns matching nothing are no error: with several inventories, the host may be in another file.
        ("nosuch", []),
        ("cluster_a,HV-B1", A),  # names are case-sensitive, as in Ansible
        ("hyperv:!typo", A + B),
        ("nosuch[3]", []),
    ],
)
@pytest.mark.parametrize("name", ["fleet.ini", "fleet.yml"])
def test_limit(name: str, limit: str, expected: list[str]) -> None:
    assert _names(DATA / name, limit) == expected


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("~(", "limit: invalid pattern '~(': missing ), unterminated subpattern at position 0"),
        ("cluster_a[5]", "limit: no host at index 5 of 'cluster_a' (3 hosts)"),
        ("cluster_a,!", "limit: empty pattern after '!'"),
        (",", "limit: no pattern in ','"),
        ("", "limit: no pattern in ''"),
    ],
)
def test_limit_errors(limit: str, message: str) -> None:
    path = DATA / "fleet.ini"
    assert _error(path, limit) == message.format(path=path)


def test_limit_with_colon_in_host_name_is_one_pattern(tmp_path: Path) -> None:
    # A host written as name:port is still known by its name alone, so this pattern matches nothing.
    path = _write(tmp_path, "[g]\nweb01:5986\n")
    assert _names(path, "web01:5986") == []
    assert _names(path, "web01") == ["web01"]


# --- Malformed inventories ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[g]\nh1\n[g:foo]\n", "3: section [g:foo] has unknown type 'foo' (use children or vars)"),
        ("[bad group]\n", "1: invalid section header '[bad group]': no spaces or ':' in group names"),
        ("[g]\nh1\n[g:vars]\nno_equals_sign\n", "4: expected key=value, got 'no_equals_sign'"),
        ("[g]\nh1\n[g:vars]\n=1\n", "4: expected key=value, got '=1'"),
        ("[p:children]\nmissing\n", "2: [p:children] names group 'missing', which is never defined"),
        ("[p:children]\nbad name\n", "2: expected a group name, got 'bad name'"),
        ("[g]\nh1\n[other:vars]\nx=1\n", "3: section [other:vars] is for a group that is never defined"),
        ("[a:children]\nb\n[b:children]\na\n", "4: group 'a' cannot be a child of 'b': that makes a loop"),
        ("[a:children]\na\n", "2: group 'a' cannot be a child of 'a': that makes a loop"),
        ("[g]\nh1\n[g:vars]\nansible_group_priority=high\n", "4: ansible_group_priority must be a number, got 'high'"),
        ("h1\nh2\n\udcff\n", "3: not UTF-8 text (save the file as UTF-8)"),
        (
            "$ANSIBLE_VAULT;1.1;AES256\n6162\n",
            "1: the inventory is vault-encrypted; decrypt it to a file hvbpa can read",
        ),
    ],
)
def test_ini_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "inventory.ini"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert _error(path) == f"{path}:{message}"


def test_child_group_defined_later_is_fine(tmp_path: Path) -> None:
    path = _write(tmp_path, "[p:children]\nc\n[p:vars]\nansible_user=u\n[c]\nh1\n")
    assert [(t.name, t.username) for t in read_inventory(path)] == [("h1", "u")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "all:\n  hosts:\n    web01:\n   bad: indent\n",
            "4: invalid YAML: expected <block end>, but found '<block mapping start>'",
        ),
        ("all:\n  hosts: [\n", "3: invalid YAML: expected the node content, but found '<stream end>'"),
        ("- web01\n- web02\n", "1: a YAML inventory is a mapping of group names"),
        (
            "plugin: amazon.aws.aws_ec2\n",
            "1: this is an inventory plugin configuration, which hvbpa cannot run; "
            "pass the output of ansible-inventory --list --yaml",
        ),
        (
            "all:\n  hosts:\n    - web01\n",
            "2: hosts of group 'all' must be a mapping of names (name: followed by a colon), not a list",
        ),
        (
            "all:\n  children:\n    - g\n",
            "2: children of group 'all' must be a mapping of names (name: followed by a colon), not a list",
        ),
        ("all:\n  hosts:\n    web01: 10.0.0.1\n", "3: variables of host 'web01' must be a mapping, got '10.0.0.1'"),
        ("all:\n  hosts:\n    web01: [a]\n", "3: variables of host 'web01' must be a mapping, got 'a list'"),
        ("all:\n  host:\n    web01:\n", "2: unexpected key 'host' in group 'all' (expected hosts, vars or children)"),
        ("all:\n  vars: [a]\n", "2: vars of group 'all' must be a mapping"),
        ("all:\n  children:\n    g: [a]\n", "3: group 'g' must be a mapping with hosts, vars or children"),
        ("all: {}\n---\nother: {}\n", "2: invalid YAML: but found another document"),
        (
            "all:\n  hosts:\n    web01: !custom x\n",
            "3: invalid YAML: could not determine a constructor for the tag '!custom'",
        ),
        ("all:\n  hosts:\n    web01:99999:\n", "3: port must be 1-65535, got '99999'"),
        ("g: &g\n  children:\n    h: *g\n", "3: group 'h' contains itself"),
        (
            "a:\n  children:\n    b:\n      children:\n        a:\n",
            "3: group 'b' cannot be a child of 'a': that makes a loop",
        ),
    ],
)
def test_yaml_errors(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text, "inventory.yml")
    assert _error(path) == f"{path}:{message}"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "hosts",
            "#!/usr/bin/env python3\nprint('{}')\n",
            "{path}:1: this looks like a dynamic inventory script; "
            "run it with ansible-inventory --list --yaml and pass the output",
        ),
        ("ec2.py", "print('{}')\n", "{path}: only static INI and YAML inventories are supported"),
        ("inv.toml", "[all.hosts]\n", "{path}: only static INI and YAML inventories are supported"),
    ],
)
def test_unsupported_inventory_kinds(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = _write(tmp_path, text, name)
    assert _error(path) == message.format(path=path)


def test_directory_and_missing_file(tmp_path: Path) -> None:
    assert _error(tmp_path) == f"{tmp_path}: inventory directories are not supported; name one inventory file"
    missing = tmp_path / "nope.yml"
    assert _error(missing) == f"{missing}: cannot read: No such file or directory"


@pytest.mark.parametrize(
    ("name", "text", "lines"),
    [
        (
            "inv.ini",
            "# fleet\n[hyperv]\nhv01\nhv02 ansible_port=5986\n\n[dr]\nhv03\nhv01\n",
            {"hv01": 3, "hv02": 4, "hv03": 7},
        ),
        (
            "inv.yml",
            "all:\n  children:\n    hyperv:\n      hosts:\n        hv01:\n        hv02:\n          ansible_port: 5986\n"
            "    dr:\n      hosts:\n        hv03: {}\n        hv01:\n",
            {"hv01": 5, "hv02": 6, "hv03": 10},
        ),
        ("inv.ini", "[hyperv]\nhv[01:02]\n", {"hv01": 2, "hv02": 2}),
    ],
)
def test_each_host_remembers_the_line_that_first_named_it(
    tmp_path: Path, name: str, text: str, lines: dict[str, int]
) -> None:
    path = _write(tmp_path, text, name)
    targets = read_inventory(path)
    assert {t.name: t.origin for t in targets} == {host: Origin(str(path), line) for host, line in lines.items()}


# --- Windows paths -------------------------------------------------------------------------


def test_windows_paths_survive_an_ini_inventory(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "[hyperv]\n"
        "hv01 ansible_winrm_ca_trust_path='C:\\Users\\Some One\\ca.pem' ansible_user=CORP\\\\svc\n"
        'hv02 ansible_winrm_cert_pem="C:\\Users\\Some One\\c.pem" ansible_winrm_cert_key_pem=C:\\keys\\c.key\n'
        "hv03 ansible_winrm_ca_trust_path='\\\\files\\pki\\ca.pem'\n"
        "hv04\n"
        "[hyperv:vars]\n"
        'ansible_winrm_ca_trust_path="C:\\Users\\Some One\\group ca.pem"\n'
        "ansible_winrm_cert_pem='C:\\new\\t.pem'\n",
    )
    hv01, hv02, hv03, hv04 = read_inventory(path)
    assert (hv01.ca_trust_path, hv01.username) == ("C:\\Users\\Some One\\ca.pem", "CORP\\svc")
    assert (hv02.cert_pem, hv02.cert_key_pem) == ("C:\\Users\\Some One\\c.pem", "C:\\keys\\c.key")
    assert hv03.ca_trust_path == "\\\\files\\pki\\ca.pem"
    # [group:vars]: a quoted value with backslashes as written (no \n line break, no quotes left)
    assert (hv04.ca_trust_path, hv04.cert_pem) == ("C:\\Users\\Some One\\group ca.pem", "C:\\new\\t.pem")


_PATH_PART = st.text(
    st.characters(codec="utf-8", exclude_characters="\\/'\"\n\r\x00=#[]", exclude_categories=("Cc", "Zl", "Zp")),
    min_size=1,
    max_size=12,
).filter(lambda p: p.strip() == p)


@given(parts=st.lists(_PATH_PART, min_size=1, max_size=4), unc=st.booleans(), where=st.sampled_from(["host", "vars"]))
def test_any_windows_path_survives_quoted(parts: list[str], unc: bool, where: str) -> None:
    """Any Windows path, written with quote_word, reaches the target as written."""
    import tempfile

    from hvbpa.targets.words import quote_word

    windows_path = ("\\\\server\\" if unc else "C:\\") + "\\".join(parts)
    value = quote_word(windows_path)
    if where == "host":
        text = f"[g]\nh ansible_winrm_ca_trust_path={value}\n"
    else:
        text = f"[g]\nh\n[g:vars]\nansible_winrm_ca_trust_path={value}\n"
    with tempfile.TemporaryDirectory() as folder:
        (target,) = read_inventory(_write(Path(folder), text))
    assert target.ca_trust_path == windows_path
