"""What a lab host prints when it recognises the collection script."""

from __future__ import annotations

import functools

from hvbpa.collect import delivery
from hvbpa.lab.executed import executed_answer, runs_powershell
from hvbpa.lab.fleet import HostConfig
from hvbpa.lab.powershell import ProcessResult, clixml_error, console_bytes

_HUGE_LINE = b"VERBOSE: Enumerating virtual machine resources on the lab host (padding line)......\r\n"


@functools.lru_cache(maxsize=1024)
def _encoded(snapshot_json: str) -> bytes:
    # A host answers with the same snapshot every time: compressing it once keeps the
    # lab's CPU out of the way of what a benchmark measures (the client).
    return delivery.encode_answer(snapshot_json).encode("ascii")


def collection_answer(
    host: HostConfig, codepage: int, arguments: list[str] | None = None, stdin: bytes = b""
) -> ProcessResult:
    """The stdout/stderr/exit code of the collection script on ``host``."""
    if arguments is not None and runs_powershell(host):
        return executed_answer(host, arguments, stdin, codepage)
    if host.raw_output is not None:
        # A capture replays byte for byte, whatever the code page.
        return ProcessResult(host.raw_output.read_bytes(), b"", 0)
    if host.output == "non-json":
        text = "Hyper-V\\Get-VM : lab host prints something that is not a snapshot\r\n"
        return ProcessResult(console_bytes(text, codepage), b"", 0)
    if host.output == "clixml-error":
        lines = [
            "Hyper-V\\Get-VM : You do not have the required permission to complete this task. Contact the "
            "administrator of the authorization policy for the computer 'LAB'.",
            "At line:1 char:1",
            "    + CategoryInfo          : PermissionDenied: (:) [Get-VM], VirtualizationException",
            "    + FullyQualifiedErrorId : AccessDenied,Microsoft.HyperV.PowerShell.Commands.GetVM",
            " ",
        ]
        return ProcessResult(b"", console_bytes(clixml_error(lines), codepage), 1)
    answer = _encoded(host.snapshot_json())
    if host.output == "truncated":
        return ProcessResult(answer[: max(len(delivery.OUTPUT_MARKER) + 8, len(answer) // 2)], b"", 0)
    if host.output == "huge":
        padding = max(host.huge_output_bytes - len(answer), 0)
        filler = _HUGE_LINE * (padding // len(_HUGE_LINE) + 1)
        return ProcessResult(filler[:padding] + answer, b"", 0)
    return ProcessResult(answer, b"", 0)
