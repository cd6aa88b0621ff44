"""read_hosts_file: comments, blank lines, encodings, line numbers in errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from hvbpa.targets import Target, TargetError, read_hosts_file


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
        Target("web01", "web01", source=f"{path}:2"),
        Target("web02:5986", "web02", port=5986, source=f"{path}:5"),
        Target("[fe80::1]:5985", "fe80::1", port=5985, source=f"{path}:7"),
        Target("https://web04/wsman", "web04", scheme="https", source=f"{path}:8"),
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
        (b"web01\r\nweb 02\r\n", "{path}:2: host name must not contain spaces: 'web 02'"),
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
