"""What a host said when it refused a request: WS-Management faults and PowerShell's error text.

Pure functions over text from the host, no pywinrm: they never raise, whatever arrives.

Faults. Windows answers a failed request with a SOAP fault whose detail is one of two
shapes (MS-WSMV 2.2.4.10 and 3.1.4.1.30; envelopes recorded from real hosts are in
pypsrp's and pywinrm's tests):

* ``f:WSManFault Code="..."`` with an ``f:Message``, which may wrap an ``f:ProviderFault``
  and another ``f:WSManFault`` (a plugin's own words). The code is a WS-Management error
  (2150858793, 0x80338029) or a Windows error, as a plain Win32 code (5) or an HRESULT
  (2147942405, 0x80070005).
* ``MSFT_WmiError`` (a CIM error instance): ``error_Code`` and ``Message``. Windows sends
  quota faults this way, the 31st shell of a user among them (2150859173).

``s:Reason`` is the generic sentence of the fault's kind; the detail's message says what
went wrong, so it is preferred.

CLIXML. PowerShell writes its error stream as CLIXML when stderr is not a console, in
lines wrapped at the console's width: message lines break between words, and the
``    + CategoryInfo`` lines are cut mid-word and go on after a three-space indent
(``... CommandNotFou \\r\\n   ndException``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

_SOAP = "http://www.w3.org/2003/05/soap-envelope"
_WSMAN_FAULT = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
_WMI_ERROR = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError"

# A fault envelope is a few KB; more is not a fault worth reading (and not worth the memory).
MAX_FAULT_CHARS = 256 * 1024

# Access denied, as Win32 code and as HRESULT (0x80070005).
ACCESS_DENIED_CODES = frozenset({5, 0x80070005})
# The operation timeout (ERROR_WSMAN_OPERATION_TIMEDOUT): the host answered, but not in time.
OPERATION_TIMED_OUT = 2150858793

_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class WsmanFault:
    """A fault as a sentence can use it."""

    code: int | None  # the Windows or WS-Management code; None when the fault has none
    message: str  # one line, as the host wrote it otherwise (shown through hvbpa.visible); "" when none
    subcode: str = ""  # ``w:TimedOut``, ``w:QuotaLimit``...
    shape: str = "soap"  # "wsman" (f:WSManFault), "wmi" (MSFT_WmiError) or "soap" (neither)

    @property
    def access_denied(self) -> bool:
        return self.code in ACCESS_DENIED_CODES


def one_line(text: str) -> str:
    """Text from a host on one line: runs of whitespace (line breaks among them) become one
    space and lone surrogates U+FFFD. Other control characters stay, so that reports keep what
    the host said; whatever shows the text escapes them (hvbpa.visible)."""
    return " ".join(_SURROGATE.sub("\ufffd", text).split())


def parse_code(text: str | None) -> int | None:
    """A fault code as Windows writes it: decimal (``2147942405``), hex (``0x80070005``) or a
    negative HRESULT (``-2147024891``); None for anything else."""
    if not text:
        return None
    value = text.strip()
    try:
        number = int(value, 16) if value[:2].lower() == "0x" else int(value, 10)
    except ValueError:
        return None
    if -(2**31) <= number < 0:
        number += 2**32
    return number if 0 <= number < 2**32 else None


def _xml(text: str) -> ET.Element | None:
    if len(text) > MAX_FAULT_CHARS or "<!DOCTYPE" in text or "<!ENTITY" in text:
        return None
    try:
        return ET.fromstring(text)  # noqa: S314 - bounded, and no DTD (checked above)
    except (ET.ParseError, ValueError):
        return None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(node: ET.Element | None) -> str:
    return one_line("".join(node.itertext())) if node is not None else ""


def parse_fault(response: str | bytes | None) -> WsmanFault | None:
    """The fault in a response body, or None when the body holds no SOAP fault."""
    if response is None:
        return None
    text = response.decode("utf-8", errors="replace") if isinstance(response, bytes) else response
    root = _xml(text)
    if root is None:
        return None
    fault = root.find(f"{{{_SOAP}}}Body/{{{_SOAP}}}Fault")
    if fault is None:
        return None
    subcode = _text(fault.find(f"{{{_SOAP}}}Code/{{{_SOAP}}}Subcode/{{{_SOAP}}}Value"))
    reason = _text(fault.find(f"{{{_SOAP}}}Reason/{{{_SOAP}}}Text"))
    detail = fault.find(f"{{{_SOAP}}}Detail")
    if detail is not None:
        wsman = detail.find(f"{{{_WSMAN_FAULT}}}WSManFault")
        if wsman is not None:
            code = parse_code(wsman.get("Code"))
            if code is None:
                # A plugin's fault wrapped in the service's: its code is the one there is.
                inner = wsman.find(f".//{{{_WSMAN_FAULT}}}WSManFault")
                code = parse_code(inner.get("Code")) if inner is not None else None
            message = _text(wsman.find(f"{{{_WSMAN_FAULT}}}Message"))
            return WsmanFault(code, message or reason, subcode, "wsman")
        wmi = next((node for node in detail if _local(node.tag) == "MSFT_WmiError"), None)
        if wmi is not None:
            fields = {_local(node.tag): node for node in wmi}
            code = parse_code(_text(fields.get("error_Code")))
            message = _text(fields.get("Message")) or _text(fields.get("error_WindowsErrorMessage"))
            return WsmanFault(code, message or reason, subcode, "wmi")
    return WsmanFault(None, reason, subcode, "soap")


_OBJS = re.compile(r"<Objs.*?</Objs>", flags=re.S)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
# A line cut mid-word by the console (it ends in the padding space) and its three-space continuation.
_CUT = re.compile(r"(?<=\S) \r?\n {3}(?=\S)")


def _unescape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return "\ufffd" if "\ud800" <= char <= "\udfff" else char


def clixml_errors(text: str) -> str | None:
    """The error lines of CLIXML, with wrapped lines joined, on one line; None when the text
    holds no CLIXML error record."""
    if "#< CLIXML" not in text:
        return None
    parts: list[str] = []
    for chunk in _OBJS.findall(text):
        root = _xml(chunk)
        if root is None:
            continue
        for node in root.iter():
            if _local(node.tag) == "S" and node.attrib.get("S") == "Error" and node.text:
                parts.append(_ESCAPED.sub(_unescape, node.text))
    if not parts:
        return None
    return one_line(_CUT.sub("", "".join(parts)))
