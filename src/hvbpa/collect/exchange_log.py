"""``-v``: a log of each host's WS-Management exchanges on stderr, for support cases.

``-v`` writes one line per request (the host, the action, the HTTP status, the time taken,
the sizes and, for a fault, its code); ``-vv`` adds the headers and the envelopes, decrypted.
Nothing secret is written: the Authorization, WWW-Authenticate and Proxy-Authorization
headers keep only their scheme (Basic, Negotiate, Kerberos, CredSSP), the password is
masked wherever it would appear, and long base64 (the delivered script, its answer, any
token) is shown as its length. Lines are written whole, so hosts collected at once (and
worker processes, which share stderr) do not mix within a line.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable, Mapping

from hvbpa.collect.faults import one_line, parse_fault
from hvbpa.visible import visible

_LOCK = threading.Lock()
_SECRET_HEADERS = frozenset({"authorization", "www-authenticate", "proxy-authorization", "proxy-authenticate"})
_ACTION = re.compile(r"<(?:\w+:)?Action[^>]*>([^<]+)</")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{120,}={0,2}")
MASK = "********"
MAX_ENVELOPE_CHARS = 8000


def action_of(envelope: str | bytes | None) -> str:
    """The last word of a request's WS-Addressing action (Create, Command, Receive...)."""
    text = envelope.decode("utf-8", "replace") if isinstance(envelope, bytes) else envelope or ""
    found = _ACTION.search(text[:4000])
    return found.group(1).rsplit("/", 1)[-1].strip() if found else "(no action)"


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret masked and long base64 shown by its length."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return _BASE64.sub(lambda m: f"[{len(m.group(0)):,} base64 characters]", text)


def redact_headers(headers: Mapping[str, str], secrets: Iterable[str]) -> str:
    shown = []
    for name, value in headers.items():
        if name.lower() in _SECRET_HEADERS:
            value = ", ".join(f"{part.split()[0]} [redacted]" for part in value.split(",") if part.split())
        shown.append(f"{name}: {value}")
    return redact("; ".join(shown), secrets)


def fault_summary(response: str) -> str:
    fault = parse_fault(response)
    if fault is None:
        return ""
    code = f"fault {fault.code}" if fault.code is not None else "fault"
    return f", {code}: {fault.message[:120]}"


def write(label: str, line: str, secrets: Iterable[str]) -> None:
    text = f"hvbpa: {label}: {visible(one_line(redact(line, secrets)))}\n"
    with _LOCK:
        sys.stderr.write(text)
        sys.stderr.flush()


def write_block(label: str, title: str, body: str, secrets: Iterable[str]) -> None:
    """An envelope (or headers) under a title, cut at MAX_ENVELOPE_CHARS, control characters removed."""
    shown = redact(body, secrets)
    if len(shown) > MAX_ENVELOPE_CHARS:
        shown = shown[:MAX_ENVELOPE_CHARS] + f"... ({len(shown) - MAX_ENVELOPE_CHARS:,} more characters)"
    shown = visible(shown, lines=True)
    with _LOCK:
        sys.stderr.write(f"hvbpa: {label}: {title}\n{shown}\n")
        sys.stderr.flush()
