"""Lab hosts that answer with recorded envelopes: a WinRM exchange replayed over real HTTP.

A replay file (YAML) lists the requests a client is expected to send, by their action, and
the envelope each is answered with, as a real host answered it (recordings of real hosts are
public test data: pypsrp's ``tests/tests_pypsrp/responses``, pywinrm's tests). The host runs
the same listener, transports and authentication as every lab host; only the SOAP answers
come from the file::

    what: quota exceeded at Create, as Windows sends it (an MSFT_WmiError)
    steps:
      - action: Create        # the request's WS-Addressing action, its last word
        status: 500           # the HTTP status (default: 500 for a fault, else 200)
        response: |
          <s:Envelope ...>...</s:Envelope>

Each answer's ``a:RelatesTo`` is set to the request's MessageID, as the host would have
set it. A request other than the next step's, or one past the last step, is answered with a
fault, and counted in ``/lab/stats`` as ``replay_mismatches``; ``replay_left`` counts the
steps not yet asked for. Keys other than ``what`` and ``steps`` (a test's ``expect``) are
left to the reader.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hvbpa.lab import envelopes
from hvbpa.lab.envelopes import Fault, Request

VERBS = frozenset({"Create", "Command", "Send", "Receive", "Signal", "Delete", "Get", "Enumerate", "Pull"})
_RELATES_TO = re.compile(r"(<(?:\w+:)?RelatesTo>)[^<]*(</(?:\w+:)?RelatesTo>)")
REPLAY_MISMATCH = 2150858753  # answered as an action the host does not expect (ERROR_WSMAN_INVALID_ACTION_URI)


class ReplayError(ValueError):
    """A replay file is not one; the message names the file and the step."""


@dataclass(frozen=True)
class ReplayStep:
    action: str
    response: str
    status: int


def load_replay(path: Path) -> tuple[ReplayStep, ...]:
    try:
        data = yaml.safe_load(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise ReplayError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise ReplayError(f"{path}: not YAML ({' '.join(str(exc).split())})") from None
    return replay_steps(data, str(path))


def replay_steps(data: Any, where: str) -> tuple[ReplayStep, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list) or not data["steps"]:
        raise ReplayError(f"{where}: expected a mapping with a non-empty list 'steps'")
    steps = []
    for index, raw in enumerate(data["steps"]):
        at = f"{where}: steps[{index}]"
        if not isinstance(raw, dict) or set(raw) - {"action", "status", "response"}:
            raise ReplayError(f"{at}: expected action, response and optionally status")
        action, response, status = raw.get("action"), raw.get("response"), raw.get("status")
        if action not in VERBS:
            raise ReplayError(f"{at}.action: expected one of {', '.join(sorted(VERBS))}, got {action!r}")
        if not isinstance(response, str) or not response.strip():
            raise ReplayError(f"{at}.response: expected the envelope's text")
        if status is None:
            status = 500 if re.search(r"<(?:\w+:)?Fault[\s>]", response) else 200
        if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status <= 599:
            raise ReplayError(f"{at}.status: expected an HTTP status, got {status!r}")
        steps.append(ReplayStep(action, response.strip(), status))
    return tuple(steps)


class Replay:
    """The steps of one host, answered in order; thread-safe."""

    def __init__(self, steps: tuple[ReplayStep, ...]) -> None:
        self._steps = steps
        self._next = 0
        self.mismatches = 0
        self._lock = threading.Lock()

    @property
    def left(self) -> int:
        with self._lock:
            return len(self._steps) - self._next

    def answer(self, request: Request) -> tuple[int, bytes] | Fault:
        with self._lock:
            step = self._steps[self._next] if self._next < len(self._steps) else None
            if step is None or step.action != request.verb:
                self.mismatches += 1
                expected = step.action if step else "nothing more"
                return Fault(
                    REPLAY_MISMATCH,
                    f"The lab's replay expected {expected}, and the client sent {request.verb}. ",
                    subcode="a:ActionNotSupported",
                    value="s:Sender",
                )
            self._next += 1
        body = _RELATES_TO.sub(lambda m: m.group(1) + request.message_id + m.group(2), step.response, count=1)
        return step.status, body.encode("utf-8")


def mismatch_envelope(fault: Fault, request: Request, machine: str) -> bytes:
    return envelopes.fault_response(fault, request.message_id, machine)
