"""Mutation fuzzing for hvbpa's input files: a valid seed, changed the ways files go wrong.

Each mutation is one of: a nasty fragment inserted anywhere (values JSON, TOML and
YAML readers mishandle), a span deleted or repeated, a line duplicated, or random
text. Hypothesis shrinks a failing case to the smallest such change.
"""

from __future__ import annotations

from hypothesis import strategies as st

NASTY = (
    "NaN", "-Infinity", "1e999", "9" * 4400, "[" * 3000, "{" * 1500, "]", "}", '"\\ud800"', "\\udfff",
    "\x00", "\x01", "\x7f", "\ufeff", "\ud800", "\u2028", "\ufffd", "ä", "한국",
    "null", "true", "[]", "{}", '""', "0", "-1", "1.5", '"x"', ",", ":", "=", "\n", "\r\n", "\t", " ",
    "&a [1, 2]", "*a", "<<: *a", "!vault |", "!unsafe", "!!python/object:os.system", "%YAML 1.1\n", "---\n",
    "[[exclusion]]\n", "[tool.hvbpa]\n", "a = [" * 200, "x = 1\n", '"""', "'''", "#", "[all:vars]\n", "[g:children]\n",
    "{{ lookup('env','HOME') }}", "host[1:99999999]", "[::1]:5985", "https://u:secret@h:5986/wsman", "http://h:99999",
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> str:
    text = seed
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(("insert", "insert", "delete", "repeat", "line", "random")))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(NASTY)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif kind == "repeat":
            span = text[at : at + draw(st.integers(1, 60))]
            text = text[:at] + span * draw(st.integers(2, 50)) + text[at:]
        elif kind == "line":
            lines = text.splitlines(keepends=True) or [""]
            n = draw(st.integers(0, len(lines) - 1))
            lines.insert(n, lines[n])
            text = "".join(lines)
        else:
            text = text[:at] + draw(st.text(max_size=20)) + text[at:]
    return text


def writable(text: str) -> bytes:
    """The bytes of a file holding ``text``; lone surrogates become the bytes they stood for."""
    return text.encode("utf-8", "surrogatepass")
