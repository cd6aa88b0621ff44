"""Reading a host's answer: exactly the text between the markers; bare JSON only from
saved input; Constrained Language Mode recognised. Examples and properties."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.collect import delivery
from hvbpa.collect.delivery import END_MARKER, OUTPUT_MARKER, AnswerError, decode_answer, encode_answer
from hvbpa.collect.saved import load_snapshot_file
from hvbpa.errors import InputError
from hvbpa.lab import minimal_snapshot

DOCUMENT = json.dumps(minimal_snapshot("HV-하이퍼"), ensure_ascii=False)
# Text a console might add around the answer: anything that does not contain a marker.
noise = st.text(alphabet=st.characters(codec="utf-8"), max_size=200).filter(
    lambda s: OUTPUT_MARKER not in s and END_MARKER not in s
)


def test_answer_round_trip_with_end_marker() -> None:
    encoded = encode_answer(DOCUMENT)
    assert encoded.startswith(OUTPUT_MARKER) and encoded.endswith(END_MARKER)
    assert decode_answer(encoded.encode("ascii")) == DOCUMENT


def test_live_answer_must_carry_the_markers() -> None:
    with pytest.raises(AnswerError, match="without the hvbpa markers"):
        decode_answer(DOCUMENT.encode("utf-8"))
    assert decode_answer(DOCUMENT.encode("utf-8"), bare_json=True) == DOCUMENT


def test_saved_bare_json_is_still_accepted(tmp_path: Path) -> None:
    saved = tmp_path / "hv.json"
    saved.write_text(DOCUMENT, encoding="utf-8")
    assert load_snapshot_file(saved).host_name == "HV-하이퍼"
    raw = tmp_path / "hv.raw"
    raw.write_bytes(b"WARNING: something\r\n" + encode_answer(DOCUMENT).encode("ascii") + b"\r\n")
    assert load_snapshot_file(raw).host_name == "HV-하이퍼"
    cut = tmp_path / "cut.raw"
    cut.write_bytes(encode_answer(DOCUMENT).encode("ascii")[: -len(END_MARKER)])
    with pytest.raises(InputError, match="truncated"):
        load_snapshot_file(cut)


def test_language_mode_marker() -> None:
    assert delivery.language_mode(b"hvbpa:language-mode:ConstrainedLanguage\r\n") == "ConstrainedLanguage"
    assert delivery.language_mode(encode_answer(DOCUMENT).encode("ascii")) is None


@given(before=noise, after=noise, document=st.text(max_size=300))
def test_only_the_text_between_the_markers_counts(before: str, after: str, document: str) -> None:
    stdout = (before + encode_answer(document) + after).encode("utf-8")
    assert decode_answer(stdout) == document


@given(document=st.text(max_size=300), data=st.data())
def test_any_cut_answer_is_refused(document: str, data: st.DataObject) -> None:
    encoded = encode_answer(document)
    cut = data.draw(st.integers(min_value=len(OUTPUT_MARKER), max_value=len(encoded) - 1))
    with pytest.raises(AnswerError):
        decode_answer(encoded[:cut].encode("ascii"))


@given(stdout=st.binary(max_size=400))
def test_arbitrary_output_gives_text_or_one_line_error(stdout: bytes) -> None:
    try:
        decode_answer(stdout)
    except AnswerError as exc:
        assert "\n" not in str(exc)


@given(
    before=noise.filter(lambda s: delivery.LANGUAGE_MODE_MARKER not in s),
    mode=st.from_regex(r"[A-Za-z]{1,20}", fullmatch=True),
    after=noise,
)
def test_language_mode_is_the_word_after_its_marker(before: str, mode: str, after: str) -> None:
    stdout = (before + delivery.LANGUAGE_MODE_MARKER + mode + "\r\n" + after).encode("utf-8")
    assert delivery.language_mode(stdout) == mode
