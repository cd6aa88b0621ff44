"""What the lab does instead of running powershell.exe and cmd.exe.

The lab cannot run PowerShell. It recognises one script, the hvbpa collection
script delivered by an hvbpa bootstrap, and answers it with the host's
configured output. Everything else fails the way Windows fails, so clients see
real error shapes: CLIXML on stderr from PowerShell, cmd.exe's messages, and
process-creation faults when cmd.exe is skipped.
"""

from __future__ import annotations

import binascii
import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from hvbpa.collect import delivery

POWERSHELL_NAMES = frozenset({"powershell", "powershell.exe", "pwsh", "pwsh.exe"})
_CLIXML_HEADER = "#< CLIXML\r\n"
_CLIXML_NS = "http://schemas.microsoft.com/powershell/2004/04"


@dataclass(frozen=True)
class ProcessResult:
    stdout: bytes
    stderr: bytes
    exit_code: int


def codec_for(codepage: int) -> str:
    """The Python codec of a console code page; unknown pages behave like 437."""
    if codepage == 65001:
        return "utf-8"
    name = f"cp{codepage}"
    try:
        codecs.lookup(name)
    except LookupError:
        return "cp437"
    return name


def console_bytes(text: str, codepage: int) -> bytes:
    # A console that cannot show a character prints '?', it does not fail.
    return text.encode(codec_for(codepage), errors="replace")


def split_command_line(line: str) -> list[str]:
    """Windows-style argument splitting: whitespace separates, double quotes group."""
    if '"' not in line:
        # The usual case (an -EncodedCommand line has no quotes), and a character loop
        # over its 16,000 characters was most of the lab's CPU per host.
        return [token for token in re.split(r"[ \t]+", line) if token]
    tokens: list[str] = []
    current: list[str] = []
    quoted = False
    started = False
    for char in line:
        if char == '"':
            quoted = not quoted
            started = True
        elif char in " \t" and not quoted:
            if started:
                tokens.append("".join(current))
                current, started = [], False
        else:
            current.append(char)
            started = True
    if started:
        tokens.append("".join(current))
    return tokens


def program_name(token: str) -> str:
    return re.split(r"[\\/]", token)[-1].lower()


def _is_encoded_command_switch(token: str) -> bool:
    if not token or token[0] not in "-/":
        return False
    name = token[1:].lower()
    # powershell.exe takes any unambiguous prefix of -EncodedCommand, and -ec.
    return name == "ec" or (len(name) >= 1 and "encodedcommand".startswith(name))


def encoded_command(arguments: list[str]) -> str | None:
    """The -EncodedCommand value among powershell.exe arguments, if any."""
    for index, token in enumerate(arguments):
        if _is_encoded_command_switch(token) and index + 1 < len(arguments):
            return arguments[index + 1]
    return None


def command_text(arguments: list[str]) -> str:
    """The script of a ``powershell -Command ...`` (or bare arguments) invocation."""
    rest: list[str] = []
    skip_value = {"-executionpolicy", "-ep", "-windowstyle", "-outputformat", "-inputformat", "-version"}
    iterator = iter(arguments)
    for token in iterator:
        lower = token.lower()
        if lower in skip_value:
            next(iterator, None)
        elif lower in ("-command", "-c"):
            rest.extend(iterator)
        elif lower.startswith("-") and not rest:
            continue
        else:
            rest.append(token)
    return " ".join(rest)


def reads_stdin(bootstrap: str) -> bool:
    """Whether the script waits for stdin before it can finish."""
    return bootstrap.startswith(delivery.STDIN_PREFIX) or "[console]::in" in bootstrap.lower()


def first_command_word(script: str) -> str:
    """The term PowerShell would fail on first, for the 'not recognized' error."""
    for raw_line in script.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"[^\s;|(){}]+", line)
        if match:
            return match.group(0)
    return script.strip()[:60] or "''"


# Windows PowerShell's width for error text written to a redirected stderr.
CONSOLE_WIDTH = 80


def console_lines(line: str, width: int = CONSOLE_WIDTH) -> list[str]:
    """One error line as Windows PowerShell 5.1 writes it to a redirected stderr: the
    ``    + CategoryInfo`` lines cut at ``width - 2`` characters, mid-word, each piece padded
    with a space and the rest indented by three; other lines wrapped between words, each
    keeping the space it broke at (as recorded from real hosts)."""
    limit = width - 1
    if line.startswith("    + "):
        pieces = []
        while len(line) > limit:
            pieces.append(line[: limit - 1] + " ")
            line = "   " + line[limit - 1 :]
        return [*pieces, line]
    words = line.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current}{word} "
        if current and len(candidate) > limit:
            lines.append(current)
            current = f"{word} "
        else:
            current = candidate
    lines.append(current[:-1])
    return lines


def clixml_error(lines: list[str]) -> str:
    wrapped = [piece for line in lines for piece in console_lines(line)]
    nodes = "".join(f'<S S="Error">{escape(line)}_x000D__x000A_</S>' for line in wrapped)
    return f'{_CLIXML_HEADER}<Objs Version="1.1.0.1" xmlns="{_CLIXML_NS}">{nodes}</Objs>'


def not_recognized_lines(term: str) -> list[str]:
    return [
        f"{term} : The term '{term}' is not recognized as the name of a cmdlet, function, script file, or operable "
        "program. Check the spelling of the name, or if a path was included, verify that the path is correct and "
        "try again.",
        "At line:1 char:1",
        f"+ {term}",
        "+ " + "~" * max(len(term), 1),
        f"    + CategoryInfo          : ObjectNotFound: ({term}:String) [], CommandNotFoundException",
        "    + FullyQualifiedErrorId : CommandNotFoundException",
        " ",
    ]


def not_recognized(term: str, codepage: int) -> ProcessResult:
    return ProcessResult(b"", console_bytes(clixml_error(not_recognized_lines(term)), codepage), 1)


def normalise_script(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").strip()


@dataclass(frozen=True)
class ScriptMatcher:
    """Decides whether a delivered script is the collection script."""

    reference: str | None

    def matches(self, script: str) -> bool:
        if self.reference is None:
            # No collection script to compare with yet: any hvbpa-delivered script is it.
            return True
        return normalise_script(script) == normalise_script(self.reference)


def run_powershell(
    arguments: list[str],
    stdin: bytes,
    codepage: int,
    matcher: ScriptMatcher,
    answer: Callable[[], ProcessResult],
) -> ProcessResult:
    """powershell.exe with ``arguments``: the collection script, or a PowerShell error."""
    encoded = encoded_command(arguments)
    if encoded is None:
        script = command_text(arguments)
        if not script:
            # An interactive PowerShell on a redirected console reads stdin as script.
            script = stdin.decode("utf-8", errors="replace")
        return not_recognized(first_command_word(script), codepage)
    try:
        bootstrap = delivery.decode_command(encoded)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        message = [
            "Cannot process the command because the value specified with -EncodedCommand is not properly "
            "encoded. The value must be Base64 encoded.",
        ]
        return ProcessResult(b"", console_bytes("\r\n".join(message) + "\r\n", codepage), 1)
    # The client's stdin arrives in the console code page; base64 is ASCII either way.
    delivered = delivery.script_from_bootstrap(bootstrap, stdin.decode("ascii", errors="replace"))
    if delivered is None:
        return not_recognized(first_command_word(bootstrap), codepage)
    if matcher.matches(delivered):
        return answer()
    return not_recognized(first_command_word(delivered), codepage)
