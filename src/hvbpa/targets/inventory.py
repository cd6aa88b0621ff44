"""An Ansible inventory once parsed: groups, hosts, variables, and host selection by pattern.

Follows ansible-core's InventoryData and InventoryManager where a static inventory is
concerned. Every variable remembers the file line it came from, so a bad value can be
reported where the admin has to fix it.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from hvbpa.targets.model import TargetError, shown, split_host_port

# A [01:99999999] typo must not exhaust memory; no Hyper-V fleet has this many hosts.
MAX_RANGE_HOSTS = 10_000


class Vault:
    """An inline ``!vault`` value: readable only with the vault password."""


VAULT = Vault()


@dataclass(frozen=True)
class Value:
    value: object
    where: str  # "inventory.ini:12"


VarsFiles = Callable[[str, str], Mapping[str, Value]]


@dataclass
class Group:
    name: str
    vars: dict[str, Value] = field(default_factory=dict)
    hosts: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    priority: int = 1


@dataclass
class Host:
    name: str
    where: str  # first definition
    vars: dict[str, Value] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)


class Inventory:
    def __init__(self, label: str) -> None:
        self.label = label  # the file name used in messages
        self.groups: dict[str, Group] = {}
        self.hosts: dict[str, Host] = {}
        self._edges: dict[tuple[str, str], tuple[int, str]] = {}  # (parent, child) -> (order added, where)
        self.group("all")
        self.group("ungrouped")

    def group(self, name: str) -> Group:
        if name not in self.groups:
            self.groups[name] = Group(name)
        return self.groups[name]

    def add_host(self, name: str, group: str, where: str) -> Host:
        host = self.hosts.get(name)
        if host is None:
            host = self.hosts[name] = Host(name, where)
        if group not in host.groups:
            host.groups.append(group)
            self.group(group).hosts.append(name)
        return host

    def add_hosts(self, pattern: str, variables: dict[str, Value], group: str, where: str) -> None:
        """Add the hosts of ``name``, ``name:port`` or a range pattern to a group."""
        base, port = split_host_port(pattern, where, allow_ranges=True, check_names=False)
        for name in expand_ranges(base, where):
            host = self.add_host(name, group, where)
            if port is not None:
                host.vars["ansible_port"] = Value(port, where)
            host.vars.update(variables)  # after the port: ansible_port=... on the line wins

    def set_group_var(self, group: str, key: str, value: Value) -> None:
        if key == "ansible_group_priority":
            # As in ansible-core: a priority, not a variable.
            raw = value.value
            try:
                if isinstance(raw, bool) or not isinstance(raw, int | str) or len(str(raw)) > 18:
                    raise ValueError
                self.group(group).priority = int(raw)
            except ValueError:
                raise TargetError(value.where, f"ansible_group_priority must be a number, got {shown(raw)}") from None
        else:
            self.group(group).vars[key] = value

    def add_child(self, parent: str, child: str, where: str) -> None:
        self.group(parent)
        self.group(child)
        if child == parent:
            raise TargetError(where, f"group {child!r} cannot be a child of {parent!r}: that makes a loop")
        if child not in self.groups[parent].children:
            self.groups[parent].children.append(child)
            self.groups[child].parents.append(parent)
            # Loops are found once, in reconcile(): checking each edge as it comes walked the groups
            # below it every time, quadratic in a long chain of groups.
            self._edges[(parent, child)] = (len(self._edges), where)

    def _refuse_loops(self) -> None:
        """One depth-first walk over every group; a loop is reported at the edge that closed it last."""
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        for root in self.groups:
            if root in state:
                continue
            path: list[str] = [root]
            state[root] = 1
            positions = [0]
            while path:
                current = path[-1]
                children = self.groups[current].children
                if positions[-1] >= len(children):
                    state[current] = 2
                    path.pop()
                    positions.pop()
                    continue
                child = children[positions[-1]]
                positions[-1] += 1
                if state.get(child) == 1:
                    loop = [*path[path.index(child) :], child]
                    closing = max(itertools.pairwise(loop), key=lambda edge: self._edges[edge][0])
                    raise TargetError(
                        self._edges[closing][1],
                        f"group {closing[1]!r} cannot be a child of {closing[0]!r}: that makes a loop",
                    )
                if child not in state:
                    state[child] = 1
                    path.append(child)
                    positions.append(0)

    def descendants(self, name: str) -> list[str]:
        """The group and the groups below it, nearest first."""
        order = [name]
        seen = {name}
        for current in order:  # grows while iterating: a breadth-first walk
            for child in self.groups[current].children:
                if child not in seen:
                    seen.add(child)
                    order.append(child)
        return order

    def ancestors(self, names: list[str]) -> set[str]:
        found: set[str] = set()
        pending = list(names)
        while pending:
            name = pending.pop()
            if name not in found:
                found.add(name)
                pending.extend(self.groups[name].parents)
        return found

    def reconcile(self) -> None:
        """Hang top-level groups under all and groupless hosts in ungrouped, as ansible-core does."""
        self._refuse_loops()
        for group in list(self.groups.values()):
            if group.name != "all" and not group.parents:
                self.add_child("all", group.name, self.label)
        if self.groups["all"].parents:
            self._refuse_loops()  # 'all' made a child of a group: hanging groups under it may close a loop
        for host in self.hosts.values():
            if all(name == "all" for name in host.groups):
                self.add_host(host.name, "ungrouped", host.where)

    def depth(self, name: str, memo: dict[str, int]) -> int:
        """The longest path from 'all' down to the group; iterative, as a chain of groups may be long."""
        stack = [name]
        while stack:
            current = stack[-1]
            if current in memo:
                stack.pop()
                continue
            pending = [p for p in self.groups[current].parents if p not in memo]
            if pending:
                stack.extend(pending)  # reconcile() refused loops, so this ends
                continue
            memo[current] = max((memo[p] + 1 for p in self.groups[current].parents), default=0)
            stack.pop()
        return memo[name]

    def host_vars(self, name: str, vars_files: VarsFiles | None = None) -> dict[str, Value]:
        """Variables as Ansible resolves them: shallower groups first, host variables last.

        vars_files gives the variables of group_vars/ and host_vars/ files, as
        ``vars_files("group_vars", group)`` and ``vars_files("host_vars", host)``.
        """
        host = self.hosts[name]
        memo: dict[str, int] = {}
        groups = sorted(
            (self.groups[g] for g in self.ancestors([*host.groups, "all"])),
            key=lambda g: (self.depth(g.name, memo), g.priority, g.name),
        )
        merged: dict[str, Value] = {}
        for group in groups:
            merged.update(group.vars)
        if vars_files is not None:
            # ansible-core's default precedence: every group_vars file, even group_vars/all, beats
            # every group variable of the inventory file; among the files, deeper groups still win.
            # 'all' has depth 0, so it comes first.
            for group in groups:
                merged.update(vars_files("group_vars", group.name))
        merged.update(host.vars)
        if vars_files is not None:
            merged.update(vars_files("host_vars", name))
        return merged

    def group_hosts(self, name: str) -> list[str]:
        result: list[str] = []
        for group in self.descendants(name):
            result.extend(h for h in self.groups[group].hosts if h not in result)
        return result

    def select(self, limit: str) -> set[str]:
        """Host names matching an Ansible --limit pattern."""
        patterns = split_patterns(limit)
        regular = [p for p in patterns if p[0] not in "!&"]
        # ansible-core applies unions first, then intersections, then exclusions, whatever the order given.
        ordered = (regular or ["all"]) + [p for p in patterns if p[0] == "&"] + [p for p in patterns if p[0] == "!"]
        selected: list[str] = []
        for pattern in ordered:
            matched = [pattern] if pattern in self.hosts else self._match_one(pattern)
            if pattern[0] == "!":
                selected = [h for h in selected if h not in matched]
            elif pattern[0] == "&":
                selected = [h for h in selected if h in matched]
            else:
                selected.extend(h for h in matched if h not in selected)
        return set(selected)

    def _match_one(self, pattern: str) -> list[str]:
        expr = pattern[1:] if pattern[0] in "!&" else pattern
        if not expr:
            raise TargetError("limit", f"empty pattern after {pattern[0]!r}")
        expr, subscript = _split_subscript(expr)
        hosts = self._enumerate(expr)
        if subscript is None:
            return hosts
        start, end = subscript
        if end is None:
            # An empty match is not an error: the group may live in another inventory file.
            if hosts and not -len(hosts) <= start < len(hosts):
                raise TargetError("limit", f"no host at index {start} of {expr!r} ({len(hosts)} hosts)")
            return [hosts[start]] if hosts else []
        return hosts[start : (len(hosts) if end == -1 else end + 1)]

    def _enumerate(self, expr: str) -> list[str]:
        try:
            regex = re.compile(expr[1:] if expr[0] == "~" else fnmatch.translate(expr))
        except re.error as exc:
            raise TargetError("limit", f"invalid pattern {expr!r}: {exc}") from None
        groups = [g for g in self.groups if regex.match(g)]
        results: list[str] = []
        for group in groups:
            results.extend(h for h in self.group_hosts(group) if h not in results)
        # As in ansible-core: host names are tried when no group matched, or the pattern is a glob or regex.
        if not groups or expr[0] == "~" or any(ch in expr for ch in ".?*["):
            results.extend(h for h in self.hosts if regex.match(h) and h not in results)
        # A pattern matching nothing is not an error (Ansible warns): with several inventory
        # files, each is limited on its own and a host or group may be in another one.
        return results


# Bounded digits: a subscript is an index into a list of hosts, never a 5,000-digit int().
_SUBSCRIPT = re.compile(r"^(.+)\[(?:(-?[0-9]{1,9})|([0-9]{1,9})([:-])([0-9]{0,9}))\]$")


def _split_subscript(expr: str) -> tuple[str, tuple[int, int | None] | None]:
    if expr[0] == "~":
        return expr, None
    m = _SUBSCRIPT.match(expr)
    if not m:
        return expr, None
    base, index, start, _, end = m.groups()
    if index is not None:
        return base, (int(index), None)
    return base, (int(start), int(end) if end else -1)


_PATTERN_PART = re.compile(r"(?:[^\s:\[\]]|\[[^\]]*\])+")


def split_patterns(limit: str) -> list[str]:
    """Split a --limit string as ansible-core does: commas, else colons outside brackets."""
    if "," in limit:
        parts = limit.split(",")
    else:
        try:
            # host:port, IPv6 and [x:y] ranges use colons that do not separate patterns.
            split_host_port(limit.strip(), "limit", allow_ranges=True)
            parts = [limit]
        except TargetError:
            parts = _PATTERN_PART.findall(limit)
    patterns = [p.strip() for p in parts if p.strip()]
    if not patterns:
        raise TargetError("limit", f"no pattern in {limit!r}")
    return patterns


def expand_ranges(pattern: str, where: str) -> list[str]:
    """Expand ``web[01:10]``, ``[a:c]`` and ``[1:9:2]`` ranges, as many as the name has."""
    if "[" not in pattern:
        return [pattern]
    head, _, rest = pattern.partition("[")
    spec, closed, tail = rest.partition("]")
    if not closed:
        raise TargetError(where, f"unclosed '[' in {pattern!r}")
    bounds = spec.split(":")
    if len(bounds) not in (2, 3):
        raise TargetError(where, f"host range must be [begin:end] or [begin:end:step], got '[{spec}]'")
    begin, end = bounds[0] or "0", bounds[1]
    step_text = bounds[2] if len(bounds) == 3 else "1"
    if not end:
        raise TargetError(where, f"host range has no end: '[{spec}]'")
    if any(len(bound) > 9 for bound in bounds):
        raise TargetError(where, f"host range bounds are too large: {shown(spec)}")
    if not (step_text.isascii() and step_text.isdigit() and int(step_text) > 0):
        raise TargetError(where, f"host range step must be a positive number, got {step_text!r}")
    step = int(step_text)
    values: list[str]
    letters = string.ascii_letters
    if len(begin) == 1 and len(end) == 1 and begin in letters and end in letters:
        if letters.index(begin) > letters.index(end):
            raise TargetError(where, f"host range begins after it ends: '[{spec}]'")
        values = list(letters[letters.index(begin) : letters.index(end) + 1 : step])
    else:
        if not all(b.isascii() and b.isdigit() for b in (begin, end)):
            raise TargetError(where, f"host range bounds must be two numbers or two letters, got '[{spec}]'")
        width = len(begin) if begin.startswith("0") and len(begin) > 1 else 0
        if width and len(end) != width:
            raise TargetError(where, f"zero-padded host range needs begin and end of equal width, got '[{spec}]'")
        if int(begin) > int(end):
            raise TargetError(where, f"host range begins after it ends: '[{spec}]'")
        if (int(end) - int(begin)) // step >= MAX_RANGE_HOSTS:
            raise TargetError(where, f"host range '[{spec}]' has more than {MAX_RANGE_HOSTS} hosts")
        values = [str(n).zfill(width) for n in range(int(begin), int(end) + 1, step)]
    result: list[str] = []
    for value in values:
        result.extend(expand_ranges(head + value + tail, where))
        if len(result) > MAX_RANGE_HOSTS:
            raise TargetError(where, f"host pattern {pattern!r} has more than {MAX_RANGE_HOSTS} hosts")
    return result
