"""A usage error (found while click parses) speaks the --lang the command line asks for."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.cli.common import lang_in
from hvbpa.exit_codes import ExitCode

WORDS = st.lists(
    st.sampled_from(["--lang", "--lang=ko", "--lang=en", "--lang=fr", "ko", "en", "scan", "-q", ""])
    | st.text(max_size=8)
)


@pytest.mark.parametrize(
    ("args", "lang"),
    [
        (["scan", "--lang", "ko"], "ko"),
        (["scan", "--lang=en", "h"], "en"),
        (["scan", "--lang"], None),
        (["scan", "--lang", "fr"], None),
        (["scan", "ko"], None),
        (["--lang=ko", "--lang", "en"], "ko"),
    ],
)
def test_examples(args: list[str], lang: str | None) -> None:
    assert lang_in(args) == lang


@given(WORDS)
def test_any_command_line_gives_a_language_it_names_or_none(args: list[str]) -> None:
    found = lang_in(args)
    assert found in (None, "en", "ko")
    if found is not None:
        pairs = list(zip(args, [*args[1:], None], strict=True))
        assert f"--lang={found}" in args or ("--lang", found) in pairs


@pytest.mark.parametrize(("lang", "prefix"), [("ko", "hvbpa: 오류: "), ("en", "hvbpa: error: ")])
def test_a_usage_error_follows_the_lang_on_the_command_line(lang: str, prefix: str) -> None:
    other = "en_US.UTF-8" if lang == "ko" else "ko_KR.UTF-8"
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": other, "LC_MESSAGES": other, "LANG": other}
    done = subprocess.run(
        [sys.executable, "-m", "hvbpa", "scan", "--jbos", "3", "--lang", lang],
        capture_output=True, text=True, encoding="utf-8", env=env, check=False,
    )  # fmt: skip
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.startswith(prefix) and "--jbos" in done.stderr, done.stderr
