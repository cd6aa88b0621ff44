"""Why a connection failed, from the operating system's error number, never from its words.

The words are the system's own and in its display language: a Korean Windows says
"대상 컴퓨터에서 연결을 거부했으므로 연결하지 못했습니다" where Linux says "Connection refused".
The number is the same on every Windows (WinError 10061) and on every Linux (errno 111),
so the failure is classified by number, and the system's words are kept only as the detail
of a failure hvbpa has no sentence for.

requests and urllib3 wrap the socket's error several deep, in causes, contexts and
arguments, so the whole tree is searched.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from dataclasses import dataclass

# Windows Sockets error numbers (winsock2.h); Python puts them in ``winerror`` and, on Windows,
# in ``errno`` too. The errno module's constants cover the system Python runs on.
WSAECONNABORTED = 10053
WSAECONNRESET = 10054
WSAETIMEDOUT = 10060
WSAECONNREFUSED = 10061
WSAENETUNREACH = 10051
WSAEHOSTUNREACH = 10065
WSAHOST_NOT_FOUND = 11001
WSATRY_AGAIN = 11002
WSANO_RECOVERY = 11003
WSANO_DATA = 11004

REFUSED = frozenset({errno.ECONNREFUSED, WSAECONNREFUSED})
RESET = frozenset({errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, WSAECONNRESET, WSAECONNABORTED})
TIMED_OUT = frozenset({errno.ETIMEDOUT, WSAETIMEDOUT})
UNRESOLVED = frozenset({WSAHOST_NOT_FOUND, WSATRY_AGAIN, WSANO_RECOVERY, WSANO_DATA})


@dataclass(frozen=True)
class ConnectError:
    kind: str  # refused, reset, timed_out, unresolved, other
    number: int | None  # the WinError or errno, for the detail of "other"
    words: str  # the system's own words, for the detail of "other"

    def detail(self) -> str:
        """The system's words and their number: ``no route to host, errno 113``."""
        words = " ".join(self.words.split()).rstrip(".").strip().lower()
        if self.number is None:
            return words or "no detail from the network"
        label = "WinError" if self.number >= 10000 else "errno"
        return f"{words}, {label} {self.number}" if words else f"{label} {self.number}"


def _tree(exc: BaseException) -> Iterator[BaseException]:
    """The exception and every one it wraps: causes, contexts, exceptions among its arguments,
    and urllib3's ``reason``."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        todo.extend(item for item in linked if isinstance(item, BaseException))


def _number(exc: OSError) -> int | None:
    winerror = getattr(exc, "winerror", None)
    if isinstance(winerror, int):
        return winerror
    return exc.errno if isinstance(exc.errno, int) else None


def classify(exc: BaseException) -> ConnectError:
    """The kind of a connection failure, from the first system error found in ``exc``."""
    first: OSError | None = None
    for item in _tree(exc):
        if isinstance(item, socket.gaierror):
            return ConnectError("unresolved", _number(item), item.strerror or "")
        if not isinstance(item, OSError):
            continue
        number = _number(item)
        if number is None and not isinstance(item, ConnectionError | TimeoutError):
            continue
        first = first or item
        if number in UNRESOLVED:
            return ConnectError("unresolved", number, item.strerror or "")
        if isinstance(item, ConnectionRefusedError) or number in REFUSED:
            return ConnectError("refused", number, item.strerror or "")
        if isinstance(item, ConnectionResetError | ConnectionAbortedError | BrokenPipeError) or number in RESET:
            return ConnectError("reset", number, item.strerror or "")
        if isinstance(item, TimeoutError) or number in TIMED_OUT:
            return ConnectError("timed_out", number, item.strerror or "")
    if first is not None:
        return ConnectError("other", _number(first), first.strerror or "")
    return ConnectError("other", None, "")
