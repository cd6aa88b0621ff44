"""Every reason a check or evaluation can give, and every heading, exists in both languages."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from hvbpa import i18n
from hvbpa.evaluate import load_rules
from hvbpa.i18n import Reason

# Rule files carry their own reasons' words; loading the rules registers them, as every command does.
RULES = load_rules()

SRC = Path(__file__).resolve().parents[1] / "src" / "hvbpa"
CODES = sorted(
    {
        m
        for p in SRC.rglob("*.py")
        # Reason.of("code", ...), the replication checks' reason("code", ...), host_verdict(Status.X, "code")
        # and (Status.X, "code", params) tuples
        for m in re.findall(
            r'(?:(?:Reason\.of|host_verdict|\breason)\(\s*(?:Status\.\w+,\s*)?|Status\.\w+,\s*)"([a-z0-9-]+)"',
            p.read_text("utf-8"),
        )
    }
)


def test_codes_were_found() -> None:
    assert len(CODES) >= 10


def test_every_reason_a_rule_file_defines_is_given_by_some_check() -> None:
    defined = {code for rule in RULES for code, _ in rule.reasons}
    assert defined, "no rule file defines reasons"
    assert sorted(defined - set(CODES)) == []


@pytest.mark.parametrize("code", CODES)
def test_reason_has_english_and_korean(code: str) -> None:
    english = i18n.reason_text(Reason.of(code, version="1", status="OK", uptime=7200, grace=600, state="Off"), "en")
    korean = i18n.reason_text(Reason.of(code, version="1", status="OK", uptime=7200, grace=600, state="Off"), "ko")
    assert english != code, f"no English text for {code}"
    assert korean != english and any("\uac00" <= ch <= "\ud7a3" for ch in korean), f"no Korean text for {code}"
    assert "{" not in english + korean


def test_duration_text() -> None:
    assert i18n.duration_text(864000) == "10 d"
    assert i18n.duration_text(7385) == "2 h 3 min"
    assert i18n.duration_text(90, "ko") == "1분 30초"


@pytest.mark.parametrize(("environ", "lang"), [
    ({"LANG": "ko_KR.UTF-8"}, "ko"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "ko_KR.UTF-8"}, "en"),
    ({"LC_MESSAGES": "ko_KR"}, "ko"),
    ({}, "en"),
])  # fmt: skip
def test_default_language(environ: dict[str, str], lang: str) -> None:
    assert i18n.default_lang(environ) == lang


@pytest.mark.parametrize(("environ", "display", "lang"), [
    ({}, "ko-KR", "ko"),  # Windows sets no LANG: its display language decides
    ({}, "en-US", "en"),
    ({}, None, "en"),
    ({"LANG": "en_US.UTF-8"}, "ko-KR", "en"),  # a LANG someone set wins over the display
    ({"LC_ALL": "ko_KR.UTF-8"}, "en-US", "ko"),
])  # fmt: skip
def test_default_language_falls_back_to_the_display_language(
    environ: dict[str, str], display: str | None, lang: str
) -> None:
    assert i18n.default_lang(environ, lambda: display) == lang


def test_the_display_language_is_windows_own() -> None:
    from hvbpa.console import console_language

    # Elsewhere the locale variables say it all; the Windows lane checks the Windows answer.
    assert console_language() is None or sys.platform == "win32"


def _words(english: str) -> bool:
    """Whether a text has words to translate, beyond placeholders, options and punctuation."""
    bare = re.sub(r"\{[^}]*\}|--[a-z-]+|hvbpa|HTTP|WinRM|TLS", "", english)
    return bool(re.search(r"[A-Za-z]{3,}", bare))


@pytest.mark.parametrize("key", sorted({**i18n._UI, **i18n._REASONS}))
def test_every_text_with_words_has_korean(key: str) -> None:
    english, korean = {**i18n._UI, **i18n._REASONS}[key]
    if _words(english):
        assert any("\uac00" <= ch <= "\ud7a3" for ch in korean), f"{key}: no Korean text"
    assert set(re.findall(r"\{(\w+)\}", english)) == set(re.findall(r"\{(\w+)\}", korean)), key


def test_every_host_status_has_words_in_both_languages() -> None:
    from hvbpa.snapshot import HostStatus

    for status in HostStatus:
        assert i18n.host_status_text(status.value, "en") != status.value or " " not in status.value
        assert any("\uac00" <= ch <= "\ud7a3" for ch in i18n.host_status_text(status.value, "ko")), status


def test_a_host_failure_nested_in_a_result_is_translated_whole() -> None:
    inner = Reason.of("host-refused", port=5985)
    outer = i18n.nest("host-not-collected", inner, status="unreachable", why="connection refused on port 5985")
    assert (
        i18n.reason_text(outer, "en") == "the host could not be scanned (unreachable: connection refused on port 5985)"
    )
    assert i18n.reason_text(outer, "ko") == "호스트를 검사하지 못했습니다(연결 불가: 포트 5985에서 연결을 거부했습니다)"
