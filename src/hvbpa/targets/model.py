"""What a scan target is, and how one is written on the command line or in a hosts file."""

from __future__ import annotations

import ipaddress
import re
import reprlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"http": 5985, "https": 5986}
TRANSPORTS = ("ntlm", "kerberos", "credssp", "certificate", "basic")
SCHEMES = ("http", "https")
CERT_VALIDATION = ("validate", "ignore")


@dataclass(frozen=True)
class Origin:
    """The file and line that named a target (a hosts file or an Ansible inventory)."""

    path: str  # as the user named the file
    line: int  # 1-based


@dataclass(frozen=True)
class Target:
    """One host to scan, and how to reach it."""

    name: str  # the label reports use: what the user wrote, or the inventory host name
    address: str  # what to connect to (ansible_host, or the name)
    port: int | None = None  # None: the default for the scheme (5985 http, 5986 https)
    transport: str | None = None  # ntlm | kerberos | credssp | certificate | basic (None: the CLI default)
    scheme: str | None = None  # http | https
    username: str | None = None
    server_cert_validation: str | None = None  # "validate" | "ignore"
    ca_trust_path: str | None = None
    cert_pem: str | None = None  # client certificate, for the certificate transport
    cert_key_pem: str | None = None
    source: str = "command line"  # e.g. "hosts.txt:12" or "inventory.yml: host web01"
    origin: Origin | None = None  # the file line that named the host; None on the command line
    # ansible_password from an inventory; never in repr (reports, logs and tracebacks show targets).
    password: str | None = field(default=None, repr=False, compare=False)
    # Where a vault-encrypted ansible_password sits: hvbpa cannot decrypt it and needs another source.
    password_vaulted: str | None = None
    # Kerberos, from an inventory (ansible_winrm_kerberos_hostname_override, ansible_winrm_service,
    # ansible_winrm_kinit_mode): None leaves the run's setting.
    kerberos_hostname: str | None = None
    kerberos_service: str | None = None
    kerberos_managed: bool | None = None
    # Inventory variables that are set but that hvbpa cannot honour, named in one warning.
    ignored_vars: tuple[str, ...] = ()


_QUOTED_USERINFO = re.compile(r"""(['"])([A-Za-z][A-Za-z0-9+.-]*://)?[^'"\s]*@""")


class TargetError(ValueError):
    """A target that cannot be used; str() is ``where: message`` on one line."""

    def __init__(self, where: str, message: str) -> None:
        # Any quoted value with user information in it (an ansible_host of user:pass@host...) is redacted.
        message = _QUOTED_USERINFO.sub(lambda m: f"{m.group(1)}{m.group(2) or ''}***@", message)
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message

    def __reduce__(self) -> tuple[type[TargetError], tuple[str, str]]:
        # The two-argument constructor would otherwise break pickling (multiprocessing).
        return (type(self), (self.where, self.message))


def parse_target(text: str, source: str = "command line") -> Target:
    """Parse ``host``, ``host:port``, ``[v6]:port``, a bare IPv6 address, or an http(s) URL."""
    entry = text.strip()
    if not entry:
        raise TargetError(source, "empty host name")
    if any(ch.isspace() for ch in entry):
        raise TargetError(source, f"host name must not contain spaces: {redact(entry)!r}")
    if "://" in entry:
        return _parse_url(entry, source)
    if "@" in entry:
        # user@host or user:password@host: never echoed, the part before '@' may be a password.
        raise TargetError(source, f"a user name goes in --username, not in the host: {redact(entry)!r}")
    address, port = split_host_port(entry, source)
    return Target(name=entry, address=address, port=port, source=source)


def _parse_url(entry: str, source: str) -> Target:
    scheme = entry.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise TargetError(source, f"URL scheme must be http or https, got {scheme!r}")
    # Before anything that echoes a part of the URL: a password may hold '/', '@' or ':', which
    # moves the URL's own split points (user:pa/ss@host would put 'ss@host' in the path).
    userinfo = entry.split("://", 1)[1].rpartition("@")[0]
    if ":" in userinfo:
        raise TargetError(source, "a password in a URL would end up in reports and logs; remove it")
    if "@" in userinfo or "/" in userinfo:
        raise TargetError(source, f"the user part of the URL is not a user name: {redact(entry)!r}")
    try:
        parts = urlsplit(entry)
    except ValueError as exc:
        raise TargetError(source, f"not a valid URL: {redact(entry)!r} ({exc})") from None
    # Target has no path field, so any other endpoint would be silently replaced by /wsman.
    if parts.path.rstrip("/").lower() not in ("", "/wsman"):
        raise TargetError(source, f"URL path must be /wsman, got {redact(parts.path)!r}")
    if parts.query or parts.fragment or entry.endswith(("?", "#")):
        raise TargetError(source, f"URL must not have a query or fragment: {redact(entry)!r}")
    userinfo, at, hostport = parts.netloc.rpartition("@")
    username = None
    if at:
        if ":" in userinfo:
            raise TargetError(source, "a password in a URL would end up in reports and logs; remove it")
        username = unquote(userinfo) or None
    if not hostport:
        raise TargetError(source, f"URL has no host: {redact(entry)!r}")
    address, port = split_host_port(hostport, source)
    # The name reports and messages show: the endpoint without its user (that is in username).
    name = f"{scheme}://{hostport}{parts.path}" if at else entry
    return Target(name=name, address=address, port=port, scheme=scheme, username=username, source=source)


# Up to the LAST '@': a password may itself hold '@' or '/'.
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)?.*@", re.S)


def redact(text: str) -> str:
    """A target as it may be printed: whatever comes before its last '@' (a user, a password) is hidden."""
    return _USERINFO.sub(lambda m: f"{m.group(1) or ''}***@", text, count=1)


def parse_port(text: str, where: str, what: str = "port") -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 5 or not 1 <= int(text) <= 65535:
        raise TargetError(where, f"{what} must be 1-65535, got {shown(text)}")
    return int(text)


def is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def split_host_port(
    text: str, where: str, *, allow_ranges: bool = False, check_names: bool = True
) -> tuple[str, int | None]:
    """Split ``host[:port]``; with allow_ranges, ``[01:10]``-style ranges may appear in the host.

    check_names=False leaves the host part unchecked: an inventory host name is only a
    label when ansible_host says where to connect.
    """
    if text.startswith("["):
        inner, closed, rest = text[1:].partition("]")
        if closed and is_ipv6(inner):
            if not rest:
                return inner, None
            if not rest.startswith(":"):
                raise TargetError(where, f"unexpected {rest!r} after ']' in {text!r}")
            return inner, parse_port(rest[1:], where)
        if not allow_ranges:
            raise TargetError(where, f"brackets are only for IPv6 addresses, as in '[fe80::1]:5985', got {text!r}")
    if is_ipv6(text):
        return text, None
    colons = _colons_outside_brackets(text)
    if not colons:
        if check_names:
            check_host(text, where, allow_ranges=allow_ranges)
        return text, None
    if len(colons) > 1:
        raise TargetError(where, f"too many ':' in {text!r} (an IPv6 address with a port needs brackets: [addr]:port)")
    host, port = text[: colons[0]], text[colons[0] + 1 :]
    if check_names:
        check_host(host, where, allow_ranges=allow_ranges)
    elif not host:
        raise TargetError(where, f"empty host name in {text!r}")
    return host, parse_port(port, where)


def _colons_outside_brackets(text: str) -> list[int]:
    depth = 0
    found = []
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == ":" and depth == 0:
            found.append(i)
    return found


def check_host(host: str, where: str, *, allow_ranges: bool = False) -> None:
    """Refuse what cannot be a DNS name, NetBIOS name or IPv4 address; catches pasted lists and typos."""
    if not host:
        raise TargetError(where, "empty host name")
    plain = host
    if allow_ranges:
        # Range syntax is checked when the range is expanded; here only the rest of the name matters.
        while "[" in plain:
            head, _, rest = plain.partition("[")
            _, closed, tail = rest.partition("]")
            if not closed:
                raise TargetError(where, f"unclosed '[' in {host!r}")
            plain = head + "x" + tail
    for ch in plain:
        if ch.isspace():
            raise TargetError(where, f"host name must not contain spaces: {host!r}")
        if not (ch.isalnum() or ch in "-._"):
            raise TargetError(where, f"invalid character {ch!r} in host name {host!r}")
    if plain[0] in "-.":
        raise TargetError(where, f"host name must not start with {plain[0]!r}: {host!r}")


def check_address(address: str, where: str) -> str:
    """Validate a bare address (no port) such as ansible_host; returns it without IPv6 brackets."""
    if is_ipv6(address):
        return address
    if address.startswith("[") and address.endswith("]") and is_ipv6(address[1:-1]):
        return address[1:-1]
    if ":" in address:
        raise TargetError(where, f"an address must not carry a port, got {address!r}")
    check_host(address, where)
    return address


def _dedupe_key(target: Target) -> tuple[str, int | None]:
    try:
        # Spellings of one IP address (::1, 0::1) are one host.
        address = str(ipaddress.ip_address(target.address))
    except ValueError:
        address = target.address.casefold().rstrip(".")
    # An unset port means the scheme's default, so https://h and h:5986 are the same endpoint;
    # with neither set, the CLI's default decides, which this module cannot know.
    port = target.port if target.port is not None else DEFAULT_PORTS.get(target.scheme or "")
    return address, port


def dedupe(targets: Iterable[Target]) -> list[Target]:
    """Drop later targets that reach the same address and port as an earlier one; keep order."""
    seen: set[tuple[str, int | None]] = set()
    result = []
    for target in targets:
        key = _dedupe_key(target)
        if key not in seen:
            seen.add(key)
            result.append(target)
    return result


def check_labels(targets: Iterable[Target]) -> None:
    """Refuse two hosts with one label: reports, baselines and ``report merge`` know a host by it,
    so one of the two would be lost. Labels are case-insensitive, as host names are on Windows."""
    seen: dict[str, Target] = {}
    for target in targets:
        key = target.name.casefold()
        first = seen.setdefault(key, target)
        if first is not target:
            raise TargetError(
                target.source,
                f"{shown(target.name)} already names the host at {first.source}; "
                "give each host its own label (name=, or the inventory host name)",
            )


def read_text(path: Path) -> str:
    """Read a hand-edited text file: UTF-8 with or without BOM, or UTF-16 with BOM."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        # A relative name is read from the working folder, which a scheduled task or service
        # sets on its own (Task Scheduler: C:\Windows\System32): say which folder that was.
        where = "" if path.is_absolute() else f" (the working folder is {Path.cwd()})"
        raise TargetError(str(path), f"cannot read: {exc.strerror or exc}{where}") from None
    # Windows PowerShell 5's `>` and Out-File write UTF-16LE with a BOM, a likely origin of a host list.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TargetError(str(path), "starts with a UTF-16 byte order mark but is not valid UTF-16") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TargetError(f"{path}:{line}", "not UTF-8 text (save the file as UTF-8)") from None


_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlist, _SHOWN.maxdict = 2, 80, 80, 4, 4


def shown(value: object) -> str:
    """A value in an error message, bounded: a YAML alias graph can make a list of 10**9 items."""
    text = _SHOWN.repr(value)
    return text if len(text) <= 100 else text[:99] + "…"
