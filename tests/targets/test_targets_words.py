"""Words of a hosts-file or INI host line: Ansible's (shlex) rules, except that backslashes
that quote nothing are kept, so Windows paths survive."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.targets.words import WordsError, quote_word, split_words

# Values a line can carry: anything but a line break (lines are split on them first).
_VALUE = st.text(st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=30)


@given(st.lists(_VALUE, min_size=1, max_size=5), st.booleans())
def test_quoted_words_come_back_as_written(values: list[str], ansible: bool) -> None:
    assert split_words(" ".join(quote_word(v) for v in values), ansible=ansible) == values


@given(st.text(st.characters(codec="utf-8", exclude_characters="\\\n\r"), max_size=60), st.booleans())
def test_without_backslashes_the_words_are_ansibles(line: str, ansible: bool) -> None:
    """Ansible reads an INI host line with shlex.split(line, comments=True): the same words."""
    try:
        expected = shlex.split(line, comments=True)
    except ValueError:
        with pytest.raises(WordsError):
            split_words(line, ansible=ansible)
        return
    assert split_words(line, ansible=ansible) == expected


# Backslashes only where they quote something, outside quotes and in double quotes alike.
_ESCAPING = st.lists(
    st.one_of(
        st.text(st.characters(codec="utf-8", exclude_characters="\\\n\r'\""), max_size=5),
        st.sampled_from(["\\ ", "\\#", "\\'", '\\"', "\\\\", "'a\\b c'", '"x\\"y\\\\z"', "'\\\\'"]),
    ),
    max_size=8,
).map("".join)


@given(_ESCAPING)
def test_backslashes_that_quote_are_read_as_ansible_reads_them(line: str) -> None:
    try:
        expected = shlex.split(line, comments=True)
    except ValueError:
        with pytest.raises(WordsError):
            split_words(line, ansible=True)
        return
    assert split_words(line, ansible=True) == expected


def test_unc_paths() -> None:
    line = r"hv01 ca=\\files\pki\ca.pem"
    assert split_words(line) == ["hv01", r"ca=\\files\pki\ca.pem"]  # a hosts file: as written
    assert split_words(line, ansible=True) == ["hv01", r"ca=\files\pki\ca.pem"]  # Ansible: \filespkica.pem
    assert split_words(r"hv01 ca='\\files\pki\ca.pem'", ansible=True) == ["hv01", r"ca=\\files\pki\ca.pem"]
    assert split_words(r"h ansible_user=CORP\\svc", ansible=True) == ["h", r"ansible_user=CORP\svc"]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (r"hv01 ca=C:\certs\ca.pem", ["hv01", r"ca=C:\certs\ca.pem"]),  # Ansible: C:certsca.pem
        (r"hv01 ca='C:\Users\Some One\ca.pem'", ["hv01", r"ca=C:\Users\Some One\ca.pem"]),
        (r'hv01 ca="C:\Users\Some One\ca.pem"', ["hv01", r"ca=C:\Users\Some One\ca.pem"]),
        (r'hv01 ca="\\\\files\pki"', ["hv01", r"ca=\\files\pki"]),  # in double quotes \\ is one, as in Ansible
        (r"hv01 name=a\ b x=1 # comment", ["hv01", "name=a b", "x=1"]),
        (r"hv01 dir=C:\x\ ", ["hv01", "dir=C:\\x "]),  # a backslash before a blank quotes it: quote such a path
        ("", []),
        ("# only a comment", []),
    ],
)
def test_windows_paths(line: str, words: list[str]) -> None:
    assert split_words(line) == words


@pytest.mark.parametrize("line", ["hv01 ca='C:\\x", 'hv01 ca="C:\\x', 'hv01 ca="C:\\x\\"'])
def test_unclosed_quotes(line: str) -> None:
    with pytest.raises(WordsError, match="no closing quotation"):
        split_words(line)
