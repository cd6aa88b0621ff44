"""Static checks of the PowerShell collection script, without PowerShell.

``collect.ps1`` runs on customers' Hyper-V hosts with administrator rights, so the
guarantees that matter are checked on its syntax tree (tree-sitter's PowerShell
grammar), not on its text: it parses, it only calls read-only commands and methods,
Hyper-V cmdlets are module-qualified, the per-host queries are not repeated per VM,
it writes nothing but the final JSON to the output stream, and the objects it builds
have exactly the keys of ``snapshot-v1.schema.json``. Every checker is also run on
small scripts that must fail it, so a checker that sees nothing cannot pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

import pytest
import tree_sitter
import tree_sitter_pwsh

from hvbpa.collect import delivery

# --------------------------------------------------------------------------- policy

# Every command the script may run, lower-case. Hyper-V cmdlets only module-qualified:
# VMware PowerCLI also exports Get-VM, and an unqualified name runs whichever won.
HYPERV_CMDLETS = frozenset(
    {
        "hyper-v\\get-vm",
        "hyper-v\\get-vmreplication",
        "hyper-v\\get-vmintegrationservice",
        "hyper-v\\get-vmnetworkadapter",
        "hyper-v\\get-vmsnapshot",
        "hyper-v\\get-vmreplicationserver",
        "hyper-v\\get-vmreplicationauthorizationentry",
        # Issue 17: replication statistics (the last test failover); Measure- reads only.
        "hyper-v\\measure-vmreplication",
    }
)
ALLOWED_COMMANDS = HYPERV_CMDLETS | {
    "get-ciminstance",
    # Issue 17: the host's QoS policies (BPA 235), module-qualified like the Hyper-V cmdlets.
    "netqos\\get-netqospolicy",
    "get-module",
    "get-date",
    "get-command",
    "get-service",
    # Only the certificate store entry for the configured thumbprint (Cert:\\LocalMachine\\My).
    "get-item",
    "convertto-json",
    "where-object",
    "foreach-object",
    "select-object",
    "group-object",
    "sort-object",
    "measure-object",
    "out-null",
    # The one Set- verb allowed: it changes parsing rules of the script's own scope only.
    "set-strictmode",
}
# Verbs that change state: a clearer message than "not in the allow-list", and applied to
# the script's own function names too (a local "Set-Thing" would hide a write).
DENIED_VERB = re.compile(
    r"^(?:[\w.-]+\\)?(?:set|new|remove|start|stop|restart|invoke|enable|disable|add|clear|suspend|resume|"
    r"move|rename|update|import|export|install|uninstall|register|unregister|mount|dismount|checkpoint|"
    r"save|restore|repair|reset|grant|revoke|connect|disconnect|write|out|copy|compare|test|wait)-",
    re.IGNORECASE,
)
DENIED_ALIASES = frozenset({"iex", "icm", "saps", "start", "kill", "spps", "rm", "del", "ri", "sc", "si", "sp"})

# .NET calls the script may make: (type, method) for static calls, method names for
# instance calls. Types are compared lower-case without brackets and a leading "System.".
ALLOWED_STATIC_CALLS = frozenset(
    {
        ("security.principal.windowsidentity", "getcurrent"),
        ("math", "round"),
        ("math", "floor"),
        ("string", "isnullorempty"),
        # Issue 17: parsing failover addresses and masks (out-parameters into local variables).
        ("net.ipaddress", "tryparse"),
        ("int", "tryparse"),
        ("convert", "tostring"),
    }
)
ALLOWED_INSTANCE_CALLS = frozenset(
    {
        "add",
        "tostring",
        "isinrole",
        "toupperinvariant",
        "tolowerinvariant",
        "selectsinglenode",
        "selectnodes",
        "touniversaltime",
        "trim",
        "contains",
        "containskey",
        "toarray",
        # $ExecutionContext.SessionState.PSVariable.GetValue: the identity seam, reads a variable.
        "getvalue",
        # Issue 17: address bytes and text (in memory); the certificate's subject DNS name;
        # X509Chain.Build, which the script calls with RevocationMode Offline (in memory, no
        # store written: see docs/replication-facts.md on AIA fetching).
        "getaddressbytes",
        "padleft",
        "split",
        "getnameinfo",
        "build",
    }
)
# New-Object only for these types (PowerShell 4.0 has no [type]::new()).
ALLOWED_NEW_OBJECT_TYPES = frozenset(
    {
        "'collections.generic.list[object]'",
        "collections.generic.list[object]",
        "security.principal.windowsprincipal",
        "security.cryptography.x509certificates.x509chain",
    }
)
# The one dynamic invocation allowed: the harness's chain seam (test_chain_seam_is_only_a_seam
# checks that $make comes from nothing but the HvbpaNewChain variable, never defined on a host).
ALLOWED_SEAM_INVOCATIONS = frozenset({"& $make $cert"})
# Syntax Windows PowerShell 5.1 cannot parse (PowerShell 7 only), and what 4.0 (Windows
# Server 2012 R2) lacks: classes, using, [type]::new().
PS7_ONLY_NODES = frozenset({"null_coalesce_expression", "ternary_expression", "pipeline_chain_tail", "??="})
PS5_ONLY_NODES = frozenset({"class_statement", "enum_statement", "using_statement", "using_directive_list"})
PS7_ONLY_PARAMETERS = frozenset({"-ashashtable", "-enumsasstrings", "-parallel"})
# ${x}?.y and ${x}?[0] (null-conditional member access): tree-sitter's grammar has no node
# for it, so it is found in the text of the nodes it leaves unparsed.
NULL_CONDITIONAL = re.compile(r"\}\?(?:\.|\[)")

# Per-host queries: one round regardless of VM count, so never inside a loop.
PER_HOST_COMMANDS = HYPERV_CMDLETS | {"get-ciminstance", "netqos\\get-netqospolicy"}
LOOP_NODES = frozenset({"foreach_statement", "for_statement", "while_statement", "do_statement"})
LOOP_COMMANDS = frozenset({"foreach-object", "where-object", "%", "?"})

SECTIONS = frozenset(
    {
        "host", "vms", "replication", "integration_services", "kvp", "network_adapters",
        "checkpoints", "replication_server", "authorization_entries", "certificate", "cluster_resources", "vss",
        "replication_statistics", "qos_policies",
    }
)  # fmt: skip
SCHEMA_OBJECTS = (
    "host",
    "vm",
    "replication",
    "relationship",
    "integration_service",
    "kvp",
    "adapter",
    "failover",
    "error",
    "checkpoint",
    "replication_server",
    "authorization_entry",
    "certificate",
    "cluster_resource",
    "qos_policy",
)

# ------------------------------------------------------------------------- plumbing

_LANGUAGE = tree_sitter.Language(tree_sitter_pwsh.language())


def parse(source: str) -> tree_sitter.Node:
    return tree_sitter.Parser(_LANGUAGE).parse(source.encode("utf-8")).root_node


def walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8")


def line(node: tree_sitter.Node) -> int:
    return node.start_point[0] + 1


def ancestors(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def child(node: tree_sitter.Node, node_type: str) -> tree_sitter.Node | None:
    return next((c for c in node.children if c.type == node_type), None)


def command_name(command: tree_sitter.Node) -> str | None:
    """The literal name of a command node; None when it is computed (``& $x``)."""
    name = child(command, "command_name")
    return None if name is None else text(name)


def commands(root: tree_sitter.Node) -> Iterator[tuple[tree_sitter.Node, str | None]]:
    for node in walk(root):
        if node.type == "command":
            yield node, command_name(node)


def string_value(node: tree_sitter.Node) -> str | None:
    """A constant string (bare word or quoted literal without variables) or None."""
    if node.type == "simple_name":
        return text(node)
    if node.type == "string_literal":
        raw = text(node)
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and "$" not in raw:
            return raw[1:-1]
        return None
    if node.type in ("key_expression", "unary_expression") and len(node.children) == 1:
        return string_value(node.children[0])
    return None


def function_names(root: tree_sitter.Node) -> set[str]:
    return {
        text(name).lower()
        for node in walk(root)
        if node.type == "function_statement" and (name := child(node, "function_name")) is not None
    }


def normalize_type(type_literal: tree_sitter.Node) -> str:
    name = re.sub(r"\s+", "", text(type_literal))[1:-1].lower()
    return name.removeprefix("system.")


# ------------------------------------------------------------------------- checkers


def syntax_problems(source: str) -> list[str]:
    return [
        f"line {line(n)}: {'missing ' + n.type if n.is_missing else 'syntax error'} near {text(n)[:40]!r}"
        for n in walk(parse(source))
        if n.is_error or n.is_missing or n.type == "ERROR"
    ]


def _new_object_type(command: tree_sitter.Node) -> str | None:
    """The literal type name New-Object is given as its first argument."""
    elements = child(command, "command_elements")
    if elements is None:
        return None
    first = next((c for c in elements.named_children if c.type != "command_argument_sep"), None)
    if first is None or first.type == "command_parameter":
        return None
    return re.sub(r"^system\.", "", text(first).lower()).replace("'system.", "'")


def read_only_violations(source: str) -> list[str]:
    """Everything that could change the host or run code the checker cannot see."""
    root = parse(source)
    problems = syntax_problems(source)
    local = function_names(root)
    problems += [f"function {name!r} uses a state-changing verb" for name in sorted(local) if DENIED_VERB.match(name)]
    for node, name in commands(root):
        if text(node) in ALLOWED_SEAM_INVOCATIONS:
            continue
        if name is None or child(node, "command_invocation_operator") is not None:
            problems.append(f"line {line(node)}: dynamic invocation {text(node)[:40]!r}")
            continue
        lowered = name.lower()
        if lowered == "new-object" and _new_object_type(node) in ALLOWED_NEW_OBJECT_TYPES:
            continue
        if DENIED_VERB.match(lowered) and lowered not in ALLOWED_COMMANDS:
            problems.append(f"line {line(node)}: state-changing command {name}")
        elif lowered in DENIED_ALIASES:
            problems.append(f"line {line(node)}: state-changing alias {name}")
        elif lowered not in ALLOWED_COMMANDS and lowered not in local:
            problems.append(f"line {line(node)}: command {name} is not in the allow-list")
    for node in walk(root):
        if node.type == "redirection":
            problems.append(f"line {line(node)}: redirection {text(node)!r}")
        elif node.type == "invocation_expression":
            target, operator = node.children[0], node.children[1]
            member = child(node, "member_name")
            method = "" if member is None else text(member).lower()
            if operator.type == "::":
                called = (normalize_type(target) if target.type == "type_literal" else "<computed>", method)
                if called not in ALLOWED_STATIC_CALLS:
                    problems.append(f"line {line(node)}: static call {text(node)[:60]!r}")
            elif method not in ALLOWED_INSTANCE_CALLS:
                problems.append(f"line {line(node)}: method call {text(node)[:60]!r}")
    return problems


def ps51_problems(source: str) -> list[str]:
    """Syntax or members that Windows PowerShell 5.1 or 4.0 would reject."""
    problems = []
    for node in walk(parse(source)):
        if node.type in PS7_ONLY_NODES:
            problems.append(f"line {line(node)}: PowerShell 7 only syntax {text(node)[:40]!r}")
        elif node.type in PS5_ONLY_NODES:
            problems.append(f"line {line(node)}: PowerShell 5.0+ syntax {text(node)[:40]!r}")
        elif node.type == "invocation_expression" and node.children[1].type == "::":
            member = child(node, "member_name")
            if member is not None and text(member).lower() == "new":
                problems.append(f"line {line(node)}: [type]::new() needs PowerShell 5.0 {text(node)[:40]!r}")
        elif node.type == "ERROR" and NULL_CONDITIONAL.search(text(node)):
            problems.append(f"line {line(node)}: PowerShell 7 only null-conditional access {text(node)[:40]!r}")
        elif node.type == "command_parameter" and text(node).lower() in PS7_ONLY_PARAMETERS:
            problems.append(f"line {line(node)}: PowerShell 7 only parameter {text(node)}")
    return problems


def unqualified_hyperv(source: str) -> list[str]:
    return [
        f"line {line(node)}: {name}"
        for node, name in commands(parse(source))
        if name is not None and re.match(r"^get-vm", name, re.IGNORECASE)
    ]


def repeated_host_queries(source: str) -> list[str]:
    """Per-host queries found inside a loop (one WMI round per VM instead of one per host)."""
    problems = []
    for node, name in commands(parse(source)):
        if name is None or name.lower() not in PER_HOST_COMMANDS:
            continue
        below = node
        for up in ancestors(node):
            loop_command = up.type == "command" and (command_name(up) or "").lower() in LOOP_COMMANDS
            # A loop's body repeats; its collection (foreach ($x in <here>)) runs once.
            if (up.type in LOOP_NODES and below.type == "statement_block") or loop_command:
                problems.append(f"line {line(node)}: {name} inside a loop")
                break
            below = up
    return problems


# Commands that never write to the output stream.
QUIET_COMMANDS = frozenset({"set-strictmode", "out-null"})

# Statements whose value is captured, not written to the output stream.
_CAPTURING = frozenset(
    {
        "assignment_value",
        "array_expression",
        "sub_expression",
        "parenthesized_expression",
        "script_block_expression",
        "command_elements",
        "hash_entry",
    }
)


def _returns_value(function: tree_sitter.Node) -> bool:
    return any(
        n.type == "flow_control_statement" and child(n, "return") is not None and child(n, "pipeline") is not None
        for n in walk(function)
    )


def stray_output(source: str) -> list[str]:
    """Statements that would add to the output stream besides the final ConvertTo-Json.

    The bootstrap runs the script through ``Out-String``: any other statement that
    yields a value (a bare expression, ``$list.Add()`` on an ArrayList, a command not
    assigned or cast to [void]) would end up glued to the JSON.
    """
    root = parse(source)
    value_functions: set[str] = set()
    quiet_functions: set[str] = set()
    for node in walk(root):
        if node.type == "function_statement" and (name := child(node, "function_name")) is not None:
            (value_functions if _returns_value(node) else quiet_functions).add(text(name).lower())
    last = last_statement(root)
    problems = []
    for node in walk(root):
        if node.type != "pipeline" or node.parent is None or node.parent.type != "statement_list":
            continue
        if node is last or (last is not None and node.id == last.id):
            continue
        context = next((a for a in ancestors(node) if a.type in _CAPTURING or a.type == "function_statement"), None)
        if context is not None and context.type in _CAPTURING:
            continue
        if context is not None and text(child(context, "function_name") or context).lower() in value_functions:
            continue
        first = node.children[0]
        if first.type == "assignment_expression":
            continue
        if re.match(r"^\[void\]", text(node), re.IGNORECASE):
            continue
        chain = child(node, "pipeline_chain")
        parts = [] if chain is None else [c for c in chain.named_children if c.type != "comment"]
        quiet = quiet_functions | QUIET_COMMANDS
        if len(parts) == 1 and parts[0].type == "command" and (command_name(parts[0]) or "").lower() in quiet:
            continue
        problems.append(f"line {line(node)}: output {text(node)[:60]!r}")
    if last is None or last.type != "pipeline" or not re.match(r"^ConvertTo-Json\b", text(last), re.IGNORECASE):
        problems.append("the last statement must be the ConvertTo-Json that prints the snapshot")
    return problems


def last_statement(root: tree_sitter.Node) -> tree_sitter.Node | None:
    top = child(root, "statement_list")
    statements = [] if top is None else [c for c in top.named_children if c.type != "comment"]
    return statements[-1] if statements else None


def hash_literals(root: tree_sitter.Node) -> Iterator[tuple[tree_sitter.Node, list[str | None]]]:
    for node in walk(root):
        if node.type == "hash_literal_expression":
            body = child(node, "hash_literal_body")
            entries = [] if body is None else [e for e in body.children if e.type == "hash_entry"]
            keys = []
            for entry in entries:
                key = child(entry, "key_expression")
                keys.append(None if key is None else string_value(key))
            yield node, keys


def is_ordered(hash_literal: tree_sitter.Node) -> bool:
    for up in ancestors(hash_literal):
        if up.type == "cast_expression":
            type_literal = child(up, "type_literal")
            return type_literal is not None and normalize_type(type_literal) == "ordered"
        if up.type != "unary_expression":
            return False
    return False


@cache
def schema_shapes() -> dict[str, frozenset[str]]:
    schema = json.loads(resources.files("hvbpa.schemas").joinpath("snapshot-v1.schema.json").read_text("utf-8"))
    shapes = {"snapshot": frozenset(schema["properties"])}
    shapes.update({name: frozenset(schema["$defs"][name]["properties"]) for name in SCHEMA_OBJECTS})
    return shapes


def key_problems(source: str) -> list[str]:
    """Each object the script builds must have exactly the keys of one schema object,
    every schema object must be built somewhere, and keys read or written later by
    index (``$rec['kvp']``) must be schema keys too."""
    root = parse(source)
    shapes = schema_shapes()
    all_keys = frozenset().union(*shapes.values())
    built: set[str] = set()
    problems = []
    for node, keys in hash_literals(root):
        if not keys:
            continue  # @{} used as an index, never printed
        if None in keys:
            problems.append(f"line {line(node)}: computed hashtable key")
            continue
        names = [k for k in keys if k is not None]
        if len(set(names)) != len(names):
            problems.append(f"line {line(node)}: duplicate key in {names}")
        if not is_ordered(node):
            problems.append(f"line {line(node)}: object is not [ordered]")
        matches = [shape for shape, props in shapes.items() if props == frozenset(names)]
        if not matches:
            best = min(shapes, key=lambda s: len(shapes[s] ^ set(names)))
            extra, missing = sorted(set(names) - shapes[best]), sorted(shapes[best] - set(names))
            problems.append(
                f"line {line(node)}: keys match no schema object (closest {best}: extra {extra}, missing {missing})"
            )
        built.update(matches)
    problems += [f"schema object {shape!r} is never built" for shape in shapes if shape not in built]
    for node in walk(root):
        if node.type != "element_access" or node.children[0].type not in ("variable", "element_access"):
            continue
        index = next((c for c in node.children if c.type == "unary_expression"), None)
        key = None if index is None else string_value(index)
        if key is not None and key not in all_keys:
            problems.append(f"line {line(node)}: key {key!r} is not in the schema")
    return problems


# --------------------------------------------------------------------------- fixtures


@cache
def script_source() -> str:
    raw = resources.files("hvbpa.collect").joinpath("collect.ps1").read_bytes()
    return raw.decode("utf-8")


@pytest.fixture(scope="module")
def script() -> str:
    return script_source()


# ------------------------------------------------------------------- the real script


def test_script_parses(script: str) -> None:
    assert syntax_problems(script) == []


def test_script_is_read_only(script: str) -> None:
    assert read_only_violations(script) == []


def test_script_runs_on_windows_powershell_40_and_51(script: str) -> None:
    assert ps51_problems(script) == []


def test_hyperv_cmdlets_are_module_qualified(script: str) -> None:
    assert unqualified_hyperv(script) == []
    called = {name.lower() for _, name in commands(parse(script)) if name is not None}
    assert called >= HYPERV_CMDLETS, f"not called: {sorted(HYPERV_CMDLETS - called)}"


def test_per_host_queries_are_not_repeated_per_vm(script: str) -> None:
    assert repeated_host_queries(script) == []
    kvp_queries = [n for n, name in commands(parse(script)) if "Msvm_KvpExchangeComponent" in text(n)]
    assert len(kvp_queries) == 1
    bulk = {"hyper-v\\get-vmintegrationservice", "hyper-v\\get-vmnetworkadapter"}
    for node, name in commands(parse(script)):
        if name is not None and name.lower() in bulk:
            params = {text(p).lower() for p in walk(node) if p.type == "command_parameter"}
            assert "-vm" in params, f"{name} should take all VMs at once (-VM $vms)"


def test_chain_seam_is_only_a_seam(script: str) -> None:
    """The allowed dynamic invocation runs only what the harness put in $HvbpaNewChain."""
    assignments = re.findall(r"\$make\s*=\s*([^\n]+)", script)
    assert assignments == ["$ExecutionContext.SessionState.PSVariable.GetValue('HvbpaNewChain')"]
    assert script.count("& $make $cert") == 1
    assert read_only_violations(script.replace("& $make $cert", "& $make $other")) != []


def test_script_writes_only_the_json(script: str) -> None:
    assert stray_output(script) == []
    last = last_statement(parse(script))
    assert last is not None
    params = re.findall(r"-(\w+)(?:\s+(\d+))?", text(last))
    assert ("Compress", "") in params and ("InputObject", "") in params
    assert int(dict(params)["Depth"]) >= 7  # deepest value: root > vms > vm > replication > relationships > item


def test_script_keys_match_the_schema(script: str) -> None:
    assert key_problems(script) == []


def test_script_records_errors_for_every_section(script: str) -> None:
    sections = set()
    for node, name in commands(parse(script)):
        in_function = any(a.type == "function_statement" for a in ancestors(node))
        if name is not None and name.lower() in ("hverr", "hverrs") and not in_function:
            elements = child(node, "command_elements")
            first = next(c for c in (elements.named_children if elements else []) if c.type != "command_argument_sep")
            value = string_value(first)
            assert value is not None, f"line {line(node)}: section must be a literal"
            sections.add(value)
    assert sections == SECTIONS


def test_script_is_delivered_inline(script: str) -> None:
    plan = delivery.plan_delivery(script)
    assert plan.stdin is None, f"command line too long: {len(delivery.plan_delivery(script, limit=10**9).command_line)}"
    assert len(plan.command_line) < delivery.CREATE_PROCESS_LIMIT
    print(f"collect.ps1: {len(script.encode())} bytes, inline command line {len(plan.command_line)} characters")
    bootstrap = delivery.decode_command(plan.arguments[-1])
    assert delivery.script_from_bootstrap(bootstrap, "") == script


def test_script_encoding(script: str) -> None:
    raw = resources.files("hvbpa.collect").joinpath("collect.ps1").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM: the bootstrap decodes UTF-8 itself"
    assert raw.isascii(), f"non-ASCII byte at offset {next(i for i, b in enumerate(raw) if b > 127)}"
    assert b"\t" not in raw


# ------------------------------------------------------- the checkers can fail


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("Set-VM -Name x -Notes y", "state-changing command Set-VM"),
        ("Hyper-V\\Stop-VM -Name x", "state-changing command Hyper-V\\Stop-VM"),
        ("iex 'Get-Date'", "state-changing alias iex"),
        ("Invoke-Expression 'Get-Date'", "state-changing command Invoke-Expression"),
        ("Remove-Item C:\\x", "state-changing command Remove-Item"),
        ("New-Object IO.MemoryStream", "state-changing command New-Object"),
        ("Write-Host hello", "state-changing command Write-Host"),
        ("Get-Content x", "command Get-Content is not in the allow-list"),
        ("& $cmd", "dynamic invocation"),
        (". $cmd", "dynamic invocation"),
        ("& 'Set-VM'", "dynamic invocation"),
        ("[void][IO.File]::WriteAllText('C:\\x', 'y')", "static call"),
        ("[System.Diagnostics.Process]::Start('cmd')", "static call"),
        ("$t = [type]'IO.File'; $t::Delete('C:\\x')", "static call"),
        ("[scriptblock]::Create('Set-VM').Invoke()", "static call"),
        ("$ExecutionContext.InvokeCommand.InvokeScript('x')", "method call"),
        ("$vm.$m()", "method call"),
        ("Get-Date > C:\\x.txt", "redirection"),
        ("function Set-Thing { }", "function 'set-thing' uses a state-changing verb"),
        ("$x = @{ a = 1", "syntax error"),
    ],
)
def test_read_only_checker_rejects(snippet: str, expected: str) -> None:
    problems = read_only_violations(snippet)
    assert any(expected in p for p in problems), problems


def test_read_only_checker_accepts_read_only_code() -> None:
    ok = (
        "function hvX($v) { return $v }\n"
        "$l = New-Object 'Collections.Generic.List[object]'\n"
        "[void]$l.Add((hvX (Hyper-V\\Get-VM)))\n"
        "$c = @(Get-CimInstance -ClassName Win32_OperatingSystem | Where-Object { $_.Caption })\n"
    )
    assert read_only_violations(ok) == []


def test_ps51_checker_rejects_ps7_syntax() -> None:
    for snippet in (
        "$a = $b ?? 1",
        "$a = $b ? 1 : 2",
        "Get-Date && Get-Date",
        "$a ??= 1",
        "ConvertFrom-Json x -AsHashtable",
        "$l = [Collections.Generic.List[object]]::new()",
        "class Thing { [int]$a }",
        "using namespace System.Text",
        "$a = ${b}?.c",
        "$a = ${b}?[0]",
        "Get-Date || Get-Date",
        "1..3 | ForEach-Object -Parallel { $_ }",
    ):
        assert ps51_problems(snippet), snippet


def test_qualification_checker_rejects_bare_hyperv_cmdlets() -> None:
    assert unqualified_hyperv("$v = @(Get-VM); $i = Get-VMIntegrationService -VM $v")
    assert unqualified_hyperv("$v = @(Hyper-V\\Get-VM)") == []


def test_loop_checker_rejects_per_vm_queries() -> None:
    per_vm = "foreach ($vm in $vms) { $k = Get-CimInstance -ClassName Msvm_KvpExchangeComponent }"
    assert repeated_host_queries(per_vm)
    assert repeated_host_queries("$vms | ForEach-Object { Hyper-V\\Get-VMIntegrationService -VM $_ }")
    assert repeated_host_queries("$k = @(Get-CimInstance -ClassName Msvm_KvpExchangeComponent)") == []


@pytest.mark.parametrize(
    "snippet",
    [
        "$x = 1\nGet-Date\nConvertTo-Json -InputObject $x",
        "$l = [Collections.ArrayList]::new()\nif ($l) { $l.Add(1) }\nConvertTo-Json -InputObject $l",
        "function hvN($v) { return $v }\nhvN 1\nConvertTo-Json -InputObject 1",
        "try { 'oops' } catch { }\nConvertTo-Json -InputObject 1",
        "ConvertTo-Json -InputObject 1\n$x = 2",
    ],
)
def test_output_checker_rejects_stray_output(snippet: str) -> None:
    assert stray_output(snippet)


def test_output_checker_accepts_quiet_code() -> None:
    quiet = (
        "function hvQ($m) { [void]$l.Add($m) }\n"
        "$l = New-Object 'Collections.Generic.List[object]'\n"
        "try { hvQ 'a'; $y = @(Get-Date) } catch { hvQ 'b' }\n"
        "ConvertTo-Json -InputObject $l -Compress"
    )
    assert stray_output(quiet) == []


def test_key_checker_rejects_wrong_keys(script: str) -> None:
    extra = script.replace("os_version = $null }", "os_version = $null; os_flavour = $null }", 1)
    missing = re.sub(r"ipv6_alternate_dns\s*=[^\n]*", "", script, count=1)
    typo = script.replace("$rec['kvp'] = $k", "$rec['kvp_data'] = $k", 1)
    unordered = script.replace("$k = [ordered]@{", "$k = @{", 1)
    for mutated, expected in (
        (extra, "extra ['os_flavour']"),
        (missing, "missing ['ipv6_alternate_dns']"),
        (typo, "'kvp_data' is not in the schema"),
        (unordered, "is not [ordered]"),
    ):
        assert mutated != script, f"mutation for {expected!r} did not apply"
        problems = key_problems(mutated)
        assert any(expected in p for p in problems), problems
