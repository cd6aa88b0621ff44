"""Kerberos failures named from their error numbers: examples from real MIT messages, and
properties over any text a library may produce (these parsers read outside data)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hvbpa.collect.kerberos import (
    CACHE_NOT_FOUND,
    CLOCK_SKEW,
    PREAUTH_FAILED,
    S_PRINCIPAL_UNKNOWN,
    codes_in,
    failure_reason,
    principal_for,
    signed,
)
from hvbpa.i18n import reason_text

# What pykerberos raised against the test realm (tests/kerberos/test_kerberos_scan.py).
NO_SPN = (
    "authGSSClientStep() failed: (('Unspecified GSS failure.  Minor code may provide more information', 851968), "
    "('Server HTTP/127.0.0.1@HVBPA.TEST not found in Kerberos database', -1765328377))"
)
NO_TICKET = (
    "authGSSClientStep() failed: (('No credentials were supplied, or the credentials were unavailable or "
    "inaccessible', 458752), ('No Kerberos credentials available (default cache: FILE:/tmp/x)', -1765328243))"
)


def test_real_messages_give_their_numbers() -> None:
    # GSS major codes (851968) are not Kerberos numbers; the minor code is.
    assert codes_in(NO_SPN) == [S_PRINCIPAL_UNKNOWN]
    assert codes_in(NO_TICKET) == [CACHE_NOT_FOUND]


def test_gssapi_s_unsigned_minor_codes_are_kerberos_signed_ones() -> None:
    assert signed(2529638936) == PREAUTH_FAILED
    assert signed(2**32 + CLOCK_SKEW) == CLOCK_SKEW


def test_an_ip_address_is_told_apart_from_a_missing_spn() -> None:
    by_ip = failure_reason(codes_in(NO_SPN), NO_SPN, principal=None, address="127.0.0.1", spn="HTTP/127.0.0.1")
    by_name = failure_reason(codes_in(NO_SPN), NO_SPN, principal=None, address="hv01.corp", spn="HTTP/hv01.corp")
    assert by_ip is not None and by_ip.code == "host-kerberos-ip"
    assert by_name is not None and by_name.code == "host-kerberos-no-spn"
    assert "HTTP/hv01.corp" in reason_text(by_name)
    assert "HTTP/hv01.corp" in reason_text(by_name, "ko")


def test_a_translated_message_is_classified_the_same() -> None:
    korean = NO_TICKET.replace("No Kerberos credentials available", "Kerberos 자격 증명이 없습니다")
    assert failure_reason(codes_in(korean), korean, principal="a@B.C", address="h", spn="HTTP/h") == failure_reason(
        codes_in(NO_TICKET), NO_TICKET, principal="a@B.C", address="h", spn="HTTP/h"
    )


def test_principals() -> None:
    assert principal_for("admin@corp.example") == "admin@CORP.EXAMPLE"
    assert principal_for("admin") == "admin"
    assert principal_for(None) is None
    assert principal_for("@corp") == "@corp"


@given(st.text())
def test_any_text_gives_32_bit_codes_and_a_reason_or_none(text: str) -> None:
    codes = codes_in(text)
    assert all(-(2**31) <= code < 2**31 for code in codes)
    why = failure_reason(codes, text, principal=None, address="h", spn="HTTP/h")
    if codes:
        assert why is not None
        assert reason_text(why) and reason_text(why, "ko")
    else:
        assert why is None


@given(st.lists(st.integers(min_value=-(2**31), max_value=2**32 - 1), max_size=5))
def test_numbers_in_a_message_are_found_whatever_their_words(numbers: list[int]) -> None:
    text = ", ".join(f"('words {i}', {n})" for i, n in enumerate(numbers) if abs(n) >= 10**8)
    found = codes_in(text)
    assert found == [signed(n) for n in numbers if abs(n) >= 10**8]


@given(st.text(min_size=1, max_size=30).filter(lambda s: "@" not in s), st.text(max_size=30))
def test_principal_for_is_idempotent_and_keeps_the_user(user: str, realm: str) -> None:
    name = f"{user}@{realm}" if realm else user
    once = principal_for(name)
    assert once is not None and principal_for(once) == once
    assert once.startswith(user)
