"""How the collection script travels to a host and how its answer travels back.

Pure functions, no pywinrm: the WinRM client and the lab host both use them, so the
wire contract lives in one place.

Delivery. The script is gzip-compressed and base64-encoded, and a small bootstrap
(run with ``powershell.exe -EncodedCommand``) inflates and runs it. The bootstrap
carries the script inline when the command line fits the process-creation limit,
which keeps a scan at Create, Command, Receive, Delete. A larger script is sent on
stdin (one extra Send), so there is no upper size limit from the command line.

Answer. The bootstrap gzips the script's JSON (UTF-8) and prints it base64-encoded
between two markers. ASCII output survives any console code page, a 1,024-VM
snapshot fits a single WinRM envelope, and the end marker tells a complete answer
from a cut one. While the script runs, the console's output writer is swapped for a
null one, so nothing else (Write-Host, warnings a module prints) reaches stdout.

A PowerShell in Constrained Language Mode (AppLocker or WDAC on the host) cannot
run the bootstrap: it prints ``LANGUAGE_MODE_MARKER`` and the mode, and exits 3,
before its first .NET call.
"""

from __future__ import annotations

import base64
import binascii
import functools
import gzip
import re
import zlib
from dataclasses import dataclass

# cmd.exe refuses command lines longer than this; CreateProcess allows 32,767
# characters including the terminating NUL.
CMD_LINE_LIMIT = 8191
CREATE_PROCESS_LIMIT = 32767

OUTPUT_MARKER = "hvbpa:gz64:"
END_MARKER = ":hvbpa:end"  # ':' is not a base64 character
LANGUAGE_MODE_MARKER = "hvbpa:language-mode:"
LANGUAGE_MODE_EXIT = 3
POWERSHELL = "powershell.exe"
POWERSHELL_ARGS = ("-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand")

# The bootstrap inflates the script, runs it, and prints its output compressed.
# Only single quotes inside, so it is safe on any command line.
_RUN_AND_ENCODE = (
    # Constrained Language Mode refuses New-Object and [Convert]: say so, in words the
    # client recognises, before the first call it would refuse.
    "if($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage'){"
    "'" + LANGUAGE_MODE_MARKER + "'+$ExecutionContext.SessionState.LanguageMode;exit " + str(LANGUAGE_MODE_EXIT) + "};"
    "$ProgressPreference='SilentlyContinue';$WarningPreference='SilentlyContinue';"
    "$VerbosePreference='SilentlyContinue';$InformationPreference='SilentlyContinue';"
    "$m=New-Object IO.MemoryStream(,[Convert]::FromBase64String($z));"
    "$g=New-Object IO.Compression.GZipStream($m,[IO.Compression.CompressionMode]::Decompress);"
    "$s=(New-Object IO.StreamReader($g,[Text.Encoding]::UTF8)).ReadToEnd();"
    "$w=[Console]::Out;[Console]::SetOut([IO.TextWriter]::Null);"
    "try{$j=(& ([scriptblock]::Create($s)) | Out-String -Width 4096).Trim()}finally{[Console]::SetOut($w)};"
    "$o=New-Object IO.MemoryStream;"
    "$c=New-Object IO.Compression.GZipStream($o,[IO.Compression.CompressionMode]::Compress);"
    "$b=[Text.Encoding]::UTF8.GetBytes($j);$c.Write($b,0,$b.Length);$c.Close();"
    "$w.Write('" + OUTPUT_MARKER + "'+[Convert]::ToBase64String($o.ToArray())+'" + END_MARKER + "')"
)
INLINE_PREFIX = "$z='"
INLINE_SUFFIX = "';"
STDIN_PREFIX = "$z=[Console]::In.ReadToEnd().Trim();"

_INLINE_RE = re.compile(r"^\$z='([A-Za-z0-9+/=]*)';")


@dataclass(frozen=True)
class Delivery:
    """One way to start the collection script: a command, its arguments, and stdin."""

    command: str
    arguments: tuple[str, ...]
    stdin: str | None
    skip_cmd_shell: bool

    @property
    def command_line(self) -> str:
        return " ".join((self.command, *self.arguments))


def pack_script(script: str) -> str:
    """gzip + base64 of the script's UTF-8 text (deterministic: mtime 0)."""
    return base64.b64encode(gzip.compress(script.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


def unpack_script(payload: str) -> str:
    return gzip.decompress(base64.b64decode(payload, validate=True)).decode("utf-8")


def encode_command(ps: str) -> str:
    """What ``powershell -EncodedCommand`` expects: base64 of UTF-16LE."""
    return base64.b64encode(ps.encode("utf-16-le")).decode("ascii")


def decode_command(encoded: str) -> str:
    return base64.b64decode(encoded, validate=True).decode("utf-16-le")


@functools.lru_cache(maxsize=8)
def plan_delivery(script: str, limit: int = CREATE_PROCESS_LIMIT) -> Delivery:
    """Inline when the command line fits ``limit``; otherwise over stdin.

    Cached: every host of a scan gets the same script, and compressing it is the
    most expensive step of starting a host.
    """
    payload = pack_script(script)
    inline = Delivery(
        POWERSHELL,
        (*POWERSHELL_ARGS, encode_command(INLINE_PREFIX + payload + INLINE_SUFFIX + _RUN_AND_ENCODE)),
        None,
        skip_cmd_shell=True,
    )
    if len(inline.command_line) < limit:
        return inline
    return Delivery(
        POWERSHELL,
        (*POWERSHELL_ARGS, encode_command(STDIN_PREFIX + _RUN_AND_ENCODE)),
        payload,
        skip_cmd_shell=True,
    )


def script_from_bootstrap(bootstrap: str, stdin: str) -> str | None:
    """The script a bootstrap would run, or None when it is not an hvbpa bootstrap.

    Used by the lab host, which cannot run PowerShell but must recognise what the
    client asked it to run.
    """
    if not bootstrap.endswith(_RUN_AND_ENCODE):
        return None
    match = _INLINE_RE.match(bootstrap)
    try:
        if match and bootstrap == INLINE_PREFIX + match.group(1) + INLINE_SUFFIX + _RUN_AND_ENCODE:
            return unpack_script(match.group(1))
        if bootstrap == STDIN_PREFIX + _RUN_AND_ENCODE:
            return unpack_script(stdin.strip())
    except (ValueError, binascii.Error, OSError, EOFError):
        return None
    return None


def encode_answer(document: str) -> str:
    """What the bootstrap prints for a script whose output is ``document``."""
    packed = gzip.compress(document.encode("utf-8"), compresslevel=6, mtime=0)
    return OUTPUT_MARKER + base64.b64encode(packed).decode("ascii") + END_MARKER


class AnswerError(ValueError):
    """The host's stdout does not hold an hvbpa answer."""


def language_mode(stdout: bytes) -> str | None:
    """The language mode a host refused the bootstrap in, or None."""
    text = stdout.decode("utf-8", errors="replace")
    at = text.find(LANGUAGE_MODE_MARKER)
    if at < 0:
        return None
    words = text[at + len(LANGUAGE_MODE_MARKER) :].split()
    return words[0] if words else "unknown"


def decode_answer(stdout: bytes, *, bare_json: bool = False, limit: int | None = None) -> str:
    """The JSON text between the markers of the host's stdout.

    ``bare_json`` also accepts plain JSON without markers: for saved input only
    (``evaluate``, a ``collect --raw`` file). A live host must answer with the
    markers: bare JSON that came through a console code page may have lost
    characters (a Korean VM name printed through CP437 arrives as question marks).
    ``limit``: the most bytes the snapshot may inflate to (default ``MAX_SNAPSHOT_BYTES``).
    """
    try:
        text, not_utf8 = stdout.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        text, not_utf8 = stdout.decode("utf-8", errors="replace"), exc
    at = text.find(OUTPUT_MARKER)
    if at < 0:
        stripped = text.lstrip("\ufeff \r\n\t")
        if stripped.startswith("{"):
            # Plain JSON is the snapshot itself: a byte that is not UTF-8 is an error, never U+FFFD.
            if not_utf8 is not None:
                raise AnswerError(f"the snapshot is not UTF-8 (byte {not_utf8.start})")
            if not bare_json:
                raise AnswerError("the host printed JSON without the hvbpa markers (not this version's bootstrap)")
            return stripped
        preview = " ".join(text.split())[:80]
        raise AnswerError(f"no snapshot in the output (it begins {preview!r})" if preview else "the output was empty")
    start = at + len(OUTPUT_MARKER)
    end = text.find(END_MARKER, start)
    if end < 0:
        raise AnswerError("the compressed snapshot is damaged or truncated (no end marker)")
    blob = "".join(text[start:end].split())
    try:
        raw = _gunzip(base64.b64decode(blob, validate=True), MAX_SNAPSHOT_BYTES if limit is None else limit)
    except AnswerError:
        raise
    except (ValueError, binascii.Error, OSError, EOFError, zlib.error) as exc:
        raise AnswerError(f"the compressed snapshot is damaged or truncated ({exc.__class__.__name__})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswerError(f"the snapshot is not UTF-8 (byte {exc.start})") from None


# A 1,024-VM snapshot is under 2 MB; a host's answer may not inflate past this (a gzip
# bomb of a few KB would otherwise take the scanner's memory with it).
MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip framing
    raw = inflater.decompress(data, limit)
    if inflater.unconsumed_tail:
        raise AnswerError(f"the snapshot is larger than {limit // (1024 * 1024)} MB once uncompressed")
    if not inflater.eof:
        raise EOFError("the compressed stream ends early")
    return raw
