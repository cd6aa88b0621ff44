"""read_hosts_file: comments, blank lines, encodings, line numbers in errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.targets import Origin, Target, TargetError, read_hosts_file
from hvbpa.targets.hosts_file import parse_hosts_line
from hvbpa.targets.words import quote_word


def _write(tmp_path: Path, data: bytes, name: str = "hosts.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_reads_entries_with_comments_blank_lines_bom_and_crlf(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        b"\xef\xbb\xbf# Hyper-V hosts\r\n"
        b"web01\r\n"
        b"\r\n"
        b"   \t\r\n"
        b"  web02:5986   # trailing comment\r\n"
        b"#web03\r\n"
        b"[fe80::1]:5985\r\n"
        b"https://web04/wsman",
    )
    assert read_hosts_file(path) == [
        Target("web01", "web01", source=f"{path}:2", origin=Origin(str(path), 2)),
        Target("web02:5986", "web02", port=5986, source=f"{path}:5", origin=Origin(str(path), 5)),
        Target("[fe80::1]:5985", "fe80::1", port=5985, source=f"{path}:7", origin=Origin(str(path), 7)),
        Target("https://web04/wsman", "web04", scheme="https", source=f"{path}:8", origin=Origin(str(path), 8)),
    ]


def test_reads_utf16_with_bom_as_windows_powershell_writes_it(tmp_path: Path) -> None:
    path = _write(tmp_path, "web01\r\nhôte02\r\n".encode("utf-16"))
    assert [t.name for t in read_hosts_file(path)] == ["web01", "hôte02"]


def test_empty_file_gives_no_targets(tmp_path: Path) -> None:
    assert read_hosts_file(_write(tmp_path, b"")) == []
    assert read_hosts_file(_write(tmp_path, b"# nothing yet\n\n")) == []


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"web01\n\nweb02:99999\n", "{path}:3: port must be 1-65535, got '99999'"),
        (
            b"web01\r\nweb 02\r\n",
            "{path}:2: host name must not contain spaces: 'web 02' (settings after a host are key=value)",
        ),
        (b"web01,web02\n", "{path}:1: invalid character ',' in host name 'web01,web02'"),
        (b"web01\nweb02\n\xff\xfe\xfd\n", "{path}:3: not UTF-8 text (save the file as UTF-8)"),
        (b"\xff\xfeA", "{path}: starts with a UTF-16 byte order mark but is not valid UTF-16"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, data: bytes, error: str) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(TargetError) as caught:
        read_hosts_file(path)
    assert str(caught.value) == error.format(path=path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.txt"
    with pytest.raises(TargetError, match=r"absent\.txt: cannot read: No such file or directory$"):
        read_hosts_file(path)


def test_a_line_may_carry_its_hosts_own_settings(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        b"https://127.0.0.1:40305/wsman transport=basic user=labadmin ca_trust_path=/tmp/lab/ca.pem name=HV-REP-01"
        b"  # the Replica host\n"
        b"hv02 transport=kerberos\n"
        b"hv03:5986\tscheme=https server_cert_validation=ignore cert_pem=c.pem cert_key_pem=k.pem\n",
    )
    assert read_hosts_file(path) == [
        Target(
            "HV-REP-01",
            "127.0.0.1",
            port=40305,
            scheme="https",
            transport="basic",
            username="labadmin",
            ca_trust_path="/tmp/lab/ca.pem",
            source=f"{path}:1",
            origin=Origin(str(path), 1),
        ),
        Target("hv02", "hv02", transport="kerberos", source=f"{path}:2", origin=Origin(str(path), 2)),
        Target(
            "hv03:5986",
            "hv03",
            port=5986,
            scheme="https",
            server_cert_validation="ignore",
            cert_pem="c.pem",
            cert_key_pem="k.pem",
            source=f"{path}:3",
            origin=Origin(str(path), 3),
        ),
    ]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("hv01 transport", "host name must not contain spaces: 'hv01 transport' (settings after a host are key=value)"),
        (
            "hv01 colour=blue",
            "unknown setting 'colour' (known: name, user, transport, scheme, ca_trust_path, "
            "server_cert_validation, cert_pem, cert_key_pem)",
        ),
        ("hv01 password=x", "passwords do not go in hosts files: use HVBPA_PASSWORD or the keyring"),
        ("hv01 ansible_password=x", "passwords do not go in hosts files: use HVBPA_PASSWORD or the keyring"),
        ("hv01 transport=telnet", "transport: 'telnet' is not one of ntlm, kerberos, credssp, certificate, basic"),
        ("hv01 user=", "user: empty value"),
        ("hv01 user=a user=b", "user is given twice"),
        ("https://hv01 scheme=http", "scheme=http contradicts the URL's https://"),
        ("https://bob@hv01 user=alice", "user=alice contradicts the user in the URL"),
    ],
)
def test_bad_settings_name_file_and_line(tmp_path: Path, line: str, error: str) -> None:
    path = _write(tmp_path, f"hv00\n{line}\n".encode())
    with pytest.raises(TargetError) as caught:
        read_hosts_file(path)
    assert str(caught.value) == f"{path}:2: {error}"


# Any value a line can hold: spaces, '#', quotes and backslashes included (quote_word writes it).
_VALUE = st.text(st.characters(codec="utf-8", exclude_characters="\n\r"), min_size=1, max_size=20)


@given(
    host=st.from_regex(r"\A[a-z][a-z0-9-]{0,15}\Z"),
    settings=st.dictionaries(st.sampled_from(["name", "user", "ca_trust_path", "cert_pem"]), _VALUE, max_size=4),
)
def test_settings_round_trip(host: str, settings: dict[str, str]) -> None:
    line = " ".join([host, *(f"{k}={quote_word(v)}" for k, v in settings.items())])
    target = parse_hosts_line(line, "f:1")
    assert target.address == host
    fields = {
        "name": target.name,
        "user": target.username,
        "ca_trust_path": target.ca_trust_path,
        "cert_pem": target.cert_pem,
    }
    for key, value in settings.items():
        assert fields[key] == value


@given(st.text(max_size=80))
def test_any_line_parses_or_fails_with_a_target_error(line: str) -> None:
    try:
        parse_hosts_line(line, "f:1")
    except TargetError as exc:
        assert "\n" not in str(exc) or "\n" in line


@given(
    lines=st.lists(
        st.one_of(
            st.from_regex(r"\Ahv[0-9]{1,3}\Z").map(lambda h: ("host", h)),
            st.sampled_from(["", "   ", "# a comment", "\t# indented comment", "\r"]).map(lambda c: ("other", c)),
        ),
        max_size=25,
    ),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_each_target_remembers_the_line_that_named_it(
    tmp_path_factory: pytest.TempPathFactory, lines: list[tuple[str, str]], newline: str
) -> None:
    """Reports place a host's results at its line (SARIF), so the number must be the file's own."""
    path = tmp_path_factory.mktemp("hosts") / "hosts.txt"
    path.write_bytes(newline.join(text for _, text in lines).encode("utf-8"))
    expected = [(text, number) for number, (kind, text) in enumerate(lines, 1) if kind == "host"]
    got = [(t.name, t.origin.line if t.origin else None) for t in read_hosts_file(path)]
    assert got == expected
    assert all(t.origin is not None and t.origin.path == str(path) for t in read_hosts_file(path))


def test_windows_paths_with_backslashes_and_spaces(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        b"hv01 ca_trust_path='C:\\Users\\Some One\\ca.pem'  # the CA\n"
        b'hv02 transport=certificate cert_pem="C:\\Users\\Some One\\c.pem" cert_key_pem=C:\\keys\\c.key\n'
        b"hv03 ca_trust_path=\\\\files\\pki\\ca.pem name='HV 03 #1'\n",
    )
    hv01, hv02, hv03 = read_hosts_file(path)
    assert hv01.ca_trust_path == "C:\\Users\\Some One\\ca.pem"
    assert (hv02.cert_pem, hv02.cert_key_pem) == ("C:\\Users\\Some One\\c.pem", "C:\\keys\\c.key")
    assert (hv03.ca_trust_path, hv03.name) == ("\\\\files\\pki\\ca.pem", "HV 03 #1")


def test_an_unclosed_quote_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, b"hv00\nhv01 ca_trust_path='C:\\Users\\Some One\n")
    with pytest.raises(TargetError, match=r":2: no closing quotation"):
        read_hosts_file(path)
