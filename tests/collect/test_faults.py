"""The readers of what a host says when it refuses: fault envelopes and CLIXML error text.

Both read text a host chose, so both are checked on any text (hypothesis): they never raise,
and what they return is one line without control characters. On well-formed input they
return what the host meant: the detail's code and message, the error lines rejoined.
"""

from __future__ import annotations

import os
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvbpa.collect.faults import MAX_FAULT_CHARS, clixml_errors, one_line, parse_code, parse_fault
from hvbpa.collect.wsman import clean_stderr
from hvbpa.lab.powershell import clixml_error, console_lines

EXAMPLES = int(os.environ.get("HVBPA_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SOAP = 'xmlns:s="http://www.w3.org/2003/05/soap-envelope"'
FAULT_NS = 'xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"'
WMI_NS = 'xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError"'
# Text as a host may write it: any character XML can carry, escape sequences among them.
XML_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"), max_size=200
).filter(lambda t: all(c in "\t\n\r" or ord(c) >= 0x20 for c in t))
CODES = st.integers(0, 2**32 - 1)


def _fault(detail: str, reason: str = "Generic reason. ") -> str:
    return (
        f"<s:Envelope {SOAP}><s:Header/><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value>"
        "<s:Subcode><s:Value>w:InternalError</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{escape(reason)}</s:Text></s:Reason>'
        f"<s:Detail>{detail}</s:Detail></s:Fault></s:Body></s:Envelope>"
    )


def _single(text: str) -> bool:
    # One line; terminal controls stay in the data (what shows it escapes them: tests/e2e/test_hostile_text.py).
    return len(text.splitlines()) <= 1 and text == one_line(text)


@FUZZ
@given(st.one_of(st.text(max_size=500), st.binary(max_size=500).map(lambda b: b.decode("latin-1"))))
def test_any_text_is_read_without_raising(text: str) -> None:
    fault = parse_fault(text)
    assert fault is None or _single(fault.message)
    from_bytes = parse_fault(text.encode("utf-8", "surrogatepass"))
    assert from_bytes is None or _single(from_bytes.message)
    errors = clixml_errors("#< CLIXML\r\n" + text)
    assert errors is None or _single(errors)
    assert _single(clean_stderr(text.encode("utf-8", "replace")))


@FUZZ
@given(code=CODES, message=XML_TEXT, reason=XML_TEXT)
def test_a_wsman_fault_gives_its_code_and_message_before_the_reason(code: int, message: str, reason: str) -> None:
    detail = (
        f'<f:WSManFault {FAULT_NS} Code="{code}" Machine="hv01"><f:Message>{escape(message)}</f:Message></f:WSManFault>'
    )
    fault = parse_fault(_fault(detail, reason))
    assert fault is not None and fault.shape == "wsman"
    assert fault.code == code
    assert fault.message == (one_line(message) or one_line(reason))
    assert fault.subcode == "w:InternalError"


@FUZZ
@given(code=CODES, message=XML_TEXT, provider=XML_TEXT)
def test_a_provider_fault_inside_a_wsman_fault_is_read_through(code: int, message: str, provider: str) -> None:
    detail = (
        f'<f:WSManFault {FAULT_NS} Code="{code}" Machine="hv01"><f:Message>'
        f'<f:ProviderFault provider={quoteattr(provider)} path="x"><f:WSManFault {FAULT_NS} Code="{code}">'
        f"<f:Message>{escape(message)}</f:Message></f:WSManFault></f:ProviderFault></f:Message></f:WSManFault>"
    )
    fault = parse_fault(_fault(detail))
    assert fault is not None and fault.code == code
    assert fault.message == (one_line(message) or "Generic reason.")


@FUZZ
@given(code=CODES, message=XML_TEXT, windows=XML_TEXT)
def test_an_msft_wmierror_gives_its_code_and_message(code: int, message: str, windows: str) -> None:
    detail = (
        f"<p:MSFT_WmiError {WMI_NS}><p:Message>{escape(message)}</p:Message><p:error_Code>{code}</p:error_Code>"
        f"<p:error_WindowsErrorMessage>{escape(windows)}</p:error_WindowsErrorMessage></p:MSFT_WmiError>"
    )
    fault = parse_fault(_fault(detail))
    assert fault is not None and fault.shape == "wmi"
    assert fault.code == code
    assert fault.message == (one_line(message) or one_line(windows) or "Generic reason.")


@FUZZ
@given(CODES)
def test_codes_are_read_in_every_notation_windows_uses(code: int) -> None:
    signed = code - 2**32 if code >= 2**31 else code
    for text in (str(code), hex(code), hex(code).upper().replace("0X", "0x"), f" {code} ", str(signed)):
        assert parse_code(text) == code, text
    assert parse_code(str(2**32)) is None
    assert parse_code("5.0") is None


def test_access_denied_in_both_notations() -> None:
    for code in ("5", "2147942405", "0x80070005", "-2147024891"):
        detail = f'<f:WSManFault {FAULT_NS} Code="{code}"><f:Message>Access is denied. </f:Message></f:WSManFault>'
        fault = parse_fault(_fault(detail))
        assert fault is not None and fault.access_denied, code


def test_no_fault_and_hostile_xml_are_none() -> None:
    assert parse_fault("") is None
    assert parse_fault(f"<s:Envelope {SOAP}><s:Body/></s:Envelope>") is None
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    assert parse_fault(bomb) is None
    assert parse_fault(_fault("", "x" * MAX_FAULT_CHARS)) is None


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ:()[],.-'\\0123456789", min_size=1, max_size=24)
MESSAGE_LINE = st.lists(WORD, min_size=1, max_size=40).map(" ".join)
CATEGORY_LINE = st.tuples(st.sampled_from(["CategoryInfo          : ", "FullyQualifiedErrorId : "]), MESSAGE_LINE).map(
    lambda t: "    + " + t[0] + t[1].replace(" ", ", ", 1)
)


@FUZZ
@given(st.lists(st.one_of(MESSAGE_LINE, CATEGORY_LINE), min_size=1, max_size=8))
def test_error_lines_wrapped_as_windows_powershell_wraps_them_are_rejoined(lines: list[str]) -> None:
    """The lab writes CLIXML as Windows PowerShell 5.1 does (lines cut at 80 columns); reading it
    back gives the lines' words as they were, none split ("WriteErrorExcep tion")."""
    stderr = clixml_error(lines)
    assert clixml_errors(stderr) == one_line(" ".join(lines))


def test_a_category_line_cut_mid_word_as_recorded_from_a_real_host() -> None:
    line = "    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException"
    assert console_lines(line) == [
        "    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorExcep ",
        "   tion",
    ]
    assert "WriteErrorException" in clean_stderr(clixml_error(["Write-Error : boom", line]).encode())


def test_escaped_characters_and_surrogates_in_clixml() -> None:
    stderr = '#< CLIXML\r\n<Objs xmlns="x"><S S="Error">a_x001B_[2Jb _xD800_ c_x000D__x000A_</S></Objs>'
    # The escape stays in the data (the report escapes it when shown); the line breaks go.
    assert clixml_errors(stderr) == "a\x1b[2Jb \ufffd c"
