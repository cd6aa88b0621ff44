"""Windows Remote Shell state of one lab host: shells, commands, their output.

Faithful where clients break: per-user shell quota, cmd.exe and CreateProcess
command-line limits, commands that need stdin to end before they finish,
output split over Receives by MaxEnvelopeSize, and operation-timeout faults
while a command is still running.
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from hvbpa.collect import delivery
from hvbpa.lab import envelopes
from hvbpa.lab.envelopes import Fault, FaultError, Request
from hvbpa.lab.powershell import (
    POWERSHELL_NAMES,
    ProcessResult,
    ScriptMatcher,
    console_bytes,
    encoded_command,
    program_name,
    reads_stdin,
    run_powershell,
    split_command_line,
)

MAX_SHELLS_PER_USER = 30
# Process-creation failures, as Windows reports them in a WSManFault: the Win32 error as an
# HRESULT (HRESULT_FROM_WIN32: 0x80070000 | code), not the bare Win32 code.
_ERROR_FILE_NOT_FOUND = 0x80070002  # 2147942402
_ERROR_FILENAME_EXCED_RANGE = 0x800700CE  # 2147942606


@dataclass
class Command:
    command_id: str
    program: list[str]
    skip_cmd_shell: bool
    needs_stdin: bool
    stdin: bytearray = field(default_factory=bytearray)
    stdin_closed: bool = False
    result: ProcessResult | None = None
    ready_at: float | None = None
    stdout_sent: int = 0
    stderr_sent: int = 0
    finished: bool = False


@dataclass
class Shell:
    shell_id: str
    owner: str
    codepage: int
    commands: dict[str, Command] = field(default_factory=dict)


@dataclass(frozen=True)
class Behaviour:
    """What the host does beyond plain WinRS; taken from its HostConfig."""

    # (code page, powershell.exe arguments, stdin) -> what the collection script prints
    answer: Callable[[int, list[str], bytes], ProcessResult]
    matcher: ScriptMatcher
    command_fault: Fault | None = None
    slow_command: float = 0.0
    # The answer runs a real process: compute it off the lock, so other requests go on.
    runs_process: bool = False


class ShellTable:
    """All shells of one host. Thread-safe; Receive waits on a condition."""

    def __init__(self, behaviour: Behaviour, stop: threading.Event, max_shells_per_user: int = MAX_SHELLS_PER_USER):
        self._behaviour = behaviour
        self._stop = stop
        self._max_shells = max_shells_per_user
        self._shells: dict[str, Shell] = {}
        self._cond = threading.Condition()

    @property
    def max_shells(self) -> int:
        return self._max_shells

    @property
    def open_shells(self) -> int:
        with self._cond:
            return len(self._shells)

    def wake_all(self) -> None:
        with self._cond:
            self._cond.notify_all()

    # -- Create / Delete -------------------------------------------------

    def create(self, request: Request, owner: str) -> Shell:
        codepage_text = request.options.get("WINRS_CODEPAGE", "437")
        codepage = int(codepage_text) if codepage_text.isdigit() else 437
        with self._cond:
            owned = sum(1 for shell in self._shells.values() if shell.owner.lower() == owner.lower())
            if owned >= self._max_shells:
                raise FaultError(envelopes.max_shells_fault(self._max_shells))
            shell = Shell(shell_id=str(uuid.uuid4()).upper(), owner=owner, codepage=codepage)
            self._shells[shell.shell_id] = shell
            return shell

    def delete(self, request: Request) -> None:
        with self._cond:
            self._shell(request)
            del self._shells[str(request.shell_id)]
            self._cond.notify_all()

    def _shell(self, request: Request) -> Shell:
        shell = self._shells.get(request.shell_id or "")
        if shell is None:
            raise FaultError(envelopes.unknown_shell_fault())
        return shell

    def _command(self, shell: Shell, command_id: str | None) -> Command:
        command = shell.commands.get(command_id or "")
        if command is None:
            raise FaultError(envelopes.unknown_command_fault())
        return command

    # -- Command ---------------------------------------------------------

    def command(self, request: Request) -> str:
        line_node = envelopes.find_body(request, "rsp:CommandLine")
        if line_node is None:
            raise FaultError(envelopes.invalid_xml_fault("rsp:CommandLine is missing."))
        program = (line_node.findtext("rsp:Command", "", envelopes.NS) or "").strip()
        arguments = [node.text or "" for node in line_node.findall("rsp:Arguments", envelopes.NS)]
        command_line = " ".join([program, *arguments]) if arguments else program
        skip_cmd_shell = request.options.get("WINRS_SKIP_CMD_SHELL", "FALSE").upper() == "TRUE"
        with self._cond:
            shell = self._shell(request)
        if skip_cmd_shell and len(command_line) >= delivery.CREATE_PROCESS_LIMIT:
            raise FaultError(
                envelopes.process_creation_fault(_ERROR_FILENAME_EXCED_RANGE, "The filename or extension is too long. ")
            )
        if self._behaviour.command_fault is not None:
            raise FaultError(self._behaviour.command_fault)
        tokens = split_command_line(command_line)
        if skip_cmd_shell and (not tokens or program_name(tokens[0]) not in POWERSHELL_NAMES):
            raise FaultError(
                envelopes.process_creation_fault(_ERROR_FILE_NOT_FOUND, "The system cannot find the file specified. ")
            )
        needs_stdin = (
            bool(tokens) and program_name(tokens[0]) in POWERSHELL_NAMES and _powershell_reads_stdin(tokens[1:])
        )
        command = Command(
            command_id=str(uuid.uuid4()).upper(),
            program=tokens,
            skip_cmd_shell=skip_cmd_shell,
            needs_stdin=needs_stdin,
        )
        if not skip_cmd_shell and len(command_line) > delivery.CMD_LINE_LIMIT:
            # cmd.exe refuses the line itself; the command "runs" and fails at once.
            command.needs_stdin = False
            command.result = ProcessResult(b"", console_bytes("The command line is too long.\r\n", shell.codepage), 1)
            command.ready_at = time.monotonic()
        with self._cond:
            shell.commands[command.command_id] = command
            if command.result is None and not command.needs_stdin:
                self._start(shell, command)
        return command.command_id

    def _start(self, shell: Shell, command: Command) -> None:
        if self._behaviour.runs_process:
            threading.Thread(target=self._finish, args=(shell, command), daemon=True).start()
            return
        command.result = self._run(shell, command)
        command.ready_at = time.monotonic() + self._behaviour.slow_command
        self._cond.notify_all()

    def _finish(self, shell: Shell, command: Command) -> None:
        result = self._run(shell, command)
        with self._cond:
            command.result = result
            command.ready_at = time.monotonic() + self._behaviour.slow_command
            self._cond.notify_all()

    def _run(self, shell: Shell, command: Command) -> ProcessResult:
        tokens = command.program
        stdin = bytes(command.stdin)
        if not tokens:
            return ProcessResult(b"", b"", 0)
        name = program_name(tokens[0])
        if name in POWERSHELL_NAMES:
            return run_powershell(
                tokens[1:],
                stdin,
                shell.codepage,
                self._behaviour.matcher,
                lambda: self._behaviour.answer(shell.codepage, tokens[1:], stdin),
            )
        # Only cmd.exe gets here (skip_cmd_shell refused anything else at Command).
        if name in ("cmd", "cmd.exe") and len(tokens) > 2 and tokens[1].lower() in ("/c", "/k"):
            return self._run(shell, _replace_program(command, tokens[2:]))
        if name == "echo":
            text = " ".join(tokens[1:]) + "\r\n"
            return ProcessResult(console_bytes(text, shell.codepage), b"", 0)
        message = (
            f"'{tokens[0]}' is not recognized as an internal or external command,\r\n"
            "operable program or batch file.\r\n"
        )
        return ProcessResult(b"", console_bytes(message, shell.codepage), 9009)

    # -- Send / Signal ---------------------------------------------------

    def send(self, request: Request) -> None:
        stream = envelopes.find_body(request, "rsp:Send/rsp:Stream")
        if stream is None:
            raise FaultError(envelopes.invalid_xml_fault("rsp:Send/rsp:Stream is missing."))
        with self._cond:
            shell = self._shell(request)
            command = self._command(shell, stream.get("CommandId"))
            if command.stdin_closed:
                return
            if stream.text:
                command.stdin.extend(base64.b64decode(stream.text.strip()))
            if stream.get("End", "false").lower() == "true":
                command.stdin_closed = True
                if command.result is None:
                    self._start(shell, command)

    def signal(self, request: Request) -> None:
        node = envelopes.find_body(request, "rsp:Signal")
        if node is None:
            raise FaultError(envelopes.invalid_xml_fault("rsp:Signal is missing."))
        with self._cond:
            shell = self._shell(request)
            command_id = node.get("CommandId")
            self._command(shell, command_id)
            code = (node.findtext("rsp:Code", "", envelopes.NS) or "").rsplit("/", 1)[-1]
            if code in ("terminate", "ctrl_c", "ctrl_break"):
                del shell.commands[str(command_id)]
                self._cond.notify_all()

    # -- Receive ---------------------------------------------------------

    def receive(self, request: Request) -> bytes:
        node = envelopes.find_body(request, "rsp:Receive/rsp:DesiredStream")
        if node is None:
            raise FaultError(envelopes.invalid_xml_fault("rsp:Receive/rsp:DesiredStream is missing."))
        command_id = node.get("CommandId")
        deadline = time.monotonic() + request.operation_timeout
        with self._cond:
            shell = self._shell(request)
            command = self._command(shell, command_id)
            while True:
                now = time.monotonic()
                if command.ready_at is not None and now >= command.ready_at:
                    break
                if self._stop.is_set() or now >= deadline or command_id not in shell.commands:
                    raise FaultError(envelopes.operation_timeout_fault())
                until = deadline if command.ready_at is None else min(deadline, command.ready_at)
                self._cond.wait(timeout=max(until - now, 0.0) + 0.001)
            return self._next_chunk(request, command)

    def _next_chunk(self, request: Request, command: Command) -> bytes:
        assert command.result is not None
        budget = envelopes.receive_payload_budget(request.max_envelope_size)
        result = command.result
        stdout = result.stdout[command.stdout_sent : command.stdout_sent + budget]
        command.stdout_sent += len(stdout)
        stderr = result.stderr[command.stderr_sent : command.stderr_sent + budget - len(stdout)]
        command.stderr_sent += len(stderr)
        done = command.stdout_sent >= len(result.stdout) and command.stderr_sent >= len(result.stderr)
        command.finished = done
        return envelopes.receive_response(
            request, command.command_id, stdout, stderr, result.exit_code if done else None
        )


def _powershell_reads_stdin(arguments: list[str]) -> bool:
    encoded = encoded_command(arguments)
    if encoded is None:
        return False
    try:
        return reads_stdin(delivery.decode_command(encoded))
    except (ValueError, UnicodeDecodeError):
        return False


def _replace_program(command: Command, tokens: list[str]) -> Command:
    return Command(
        command_id=command.command_id,
        program=tokens,
        skip_cmd_shell=command.skip_cmd_shell,
        needs_stdin=command.needs_stdin,
        stdin=command.stdin,
    )
