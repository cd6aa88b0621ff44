"""Splitting a line of a hosts file or of an INI inventory's host into words, keeping Windows paths.

The rules are Ansible's (POSIX shell words, as ``shlex.split(line, comments=True)``), except
that a backslash stays a backslash unless it quotes something:

- Words are separated by spaces and tabs; ``#`` outside quotes begins a comment.
- ``'...'`` keeps everything between the quotes as written (spaces, ``#``, backslashes).
- ``"..."`` does too, except that ``\\"`` is a quote and ``\\\\`` one backslash (as in Ansible).
- Outside quotes, a backslash before a space, a tab, a quote or ``#`` makes that character
  part of the word, as in Ansible. In an INI inventory ``\\\\`` is one backslash there too,
  as Ansible reads it (``ansible_user=CORP\\\\svc``). Any other backslash is kept:
  ``C:\\certs\\ca.pem`` arrives as written, where Ansible would drop the backslashes
  (``C:certsca.pem``). In a hosts file (hvbpa's own format) ``\\\\server\\share`` is kept
  as written too.

So a path with spaces goes in quotes, best single ones (``ca_trust_path='C:\\Users\\Some
One\\ca.pem'``, and ``'\\\\server\\share\\ca.pem'`` in an INI inventory), and a path
without spaces may go as it is. :func:`quote_word` writes any value so that :func:`split_words`
gives it back, in either kind of file.
"""

from __future__ import annotations

_BLANK = " \t\r\n"
_ESCAPED_OUTSIDE = _BLANK + "'\"#"


class WordsError(ValueError):
    """A line that cannot be split (a quote never closed)."""


def split_words(line: str, *, ansible: bool = False) -> list[str]:
    """The words of ``line``, quotes removed; raises WordsError for an unclosed quote.

    ``ansible``: an INI inventory, where ``\\\\`` outside quotes is one backslash as in Ansible.
    """
    escaped_outside = _ESCAPED_OUTSIDE + "\\" if ansible else _ESCAPED_OUTSIDE
    words: list[str] = []
    current: list[str] = []
    in_word = False
    index, end = 0, len(line)
    while index < end:
        ch = line[index]
        if ch in _BLANK:
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        elif ch == "#":
            break
        elif ch == "'":
            close = line.find("'", index + 1)
            if close < 0:
                raise WordsError("no closing quotation (')")
            current.append(line[index + 1 : close])
            in_word, index = True, close
        elif ch == '"':
            index += 1
            while True:
                if index >= end:
                    raise WordsError('no closing quotation (")')
                inner = line[index]
                if inner == '"':
                    break
                if inner == "\\" and index + 1 < end and line[index + 1] in '"\\':
                    index += 1
                    inner = line[index]
                current.append(inner)
                index += 1
            in_word = True
        elif ch == "\\" and index + 1 < end and line[index + 1] in escaped_outside:
            current.append(line[index + 1])
            in_word, index = True, index + 1
        else:
            current.append(ch)
            in_word = True
        index += 1
    if in_word:
        words.append("".join(current))
    return words


def quote_word(value: str) -> str:
    """``value`` written so that :func:`split_words` reads it back as one word, in a hosts file or an INI inventory."""
    if value and not any(ch in _ESCAPED_OUTSIDE or ch == "\\" for ch in value):
        return value
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
