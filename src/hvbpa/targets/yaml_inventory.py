"""Ansible YAML inventories, read as ansible-core's yaml plugin reads them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from hvbpa.strict_json import StrictJSONError, strict_loads
from hvbpa.targets.inventory import VAULT, Inventory, Value, Vault
from hvbpa.targets.model import TargetError


class _Loader(yaml.SafeLoader):
    pass


def _construct_vault(loader: yaml.SafeLoader, node: yaml.Node) -> Vault:
    return VAULT


def _construct_unsafe(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    # !unsafe only tells Ansible not to template the value.
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    return None


_Loader.add_constructor("!vault", _construct_vault)
_Loader.add_constructor("!unsafe", _construct_unsafe)


def _where(label: str, node: yaml.Node) -> str:
    return f"{label}:{node.start_mark.line + 1}"


def _is_null(node: yaml.Node | None) -> bool:
    return node is None or (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null")


def _loader(text: str, label: str) -> _Loader:
    """The loader; PyYAML checks the characters already here, so a control character fails here."""
    try:
        return _Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(0, exc.position)) + 1
        raise TargetError(
            f"{label}:{line}", f"invalid YAML: control character {exc.character!r} is not allowed"
        ) from None


@contextmanager
def _reading(loader: _Loader, label: str, text: str) -> Iterator[None]:
    try:
        yield
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{label}:{mark.line + 1}" if mark else label
        raise TargetError(where, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.reader.ReaderError as exc:
        # A control character: PyYAML gives its offset only, the admin needs the line.
        line = text.count("\n", 0, max(0, exc.position)) + 1
        raise TargetError(
            f"{label}:{line}", f"invalid YAML: control character {exc.character!r} is not allowed"
        ) from None
    except yaml.YAMLError as exc:
        raise TargetError(label, f"invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise TargetError(label, "invalid YAML: nested too deeply") from None
    except TargetError:
        raise
    except ValueError as exc:  # PyYAML's int() past Python's 4,300-digit limit
        raise TargetError(label, f"invalid YAML: a value cannot be read ({' '.join(str(exc).split())[:100]})") from None
    finally:
        loader.dispose()


def parse_yaml(text: str, label: str) -> Inventory:
    loader = _loader(text, label)
    with _reading(loader, label, text):
        root = loader.get_single_node()
        inventory = Inventory(label)
        if root is None or _is_null(root):
            return inventory
        if not isinstance(root, yaml.MappingNode):
            raise TargetError(_where(label, root), "a YAML inventory is a mapping of group names")
        walker = _YamlWalker(loader, inventory, label)
        for key, node, where in walker.items(root):
            if key == "plugin":
                raise TargetError(
                    where,
                    "this is an inventory plugin configuration, which hvbpa cannot run; "
                    "pass the output of ansible-inventory --list --yaml",
                )
            walker.group(key, node, where)
        return inventory


def parse_vars(text: str, label: str) -> dict[str, Value]:
    """The variables of a group_vars or host_vars file, each with the line that set it."""
    loader = _loader(text, label)
    try:
        with _reading(loader, label, text):
            root = loader.get_single_node()
            if root is None or _is_null(root):
                return {}  # Ansible skips empty vars files
            if not isinstance(root, yaml.MappingNode):
                raise TargetError(_where(label, root), "a variables file must be a mapping of variable names")
            walker = _YamlWalker(loader, Inventory(label), label)
            return {key: Value(walker.value(node), where) for key, node, where in walker.items(root)}
    except TargetError as exc:
        # ansible-core reads vars files as JSON before YAML, and PyYAML refuses JSON indented with tabs.
        try:
            data = strict_loads(text)
        except StrictJSONError as json_exc:
            if label.endswith(".json"):
                where = f"{label}:{json_exc.line}" if json_exc.line else label
                raise TargetError(where, f"invalid JSON: {json_exc.reason}") from None
            raise exc from None
        if not isinstance(data, dict):
            raise exc from None
        # Only YAML nodes know their line, so these values name just the file.
        return {str(key): Value(value, label) for key, value in data.items()}


class _YamlWalker:
    """Walks composed nodes rather than loaded data, because only nodes know their line."""

    def __init__(self, loader: _Loader, inventory: Inventory, label: str) -> None:
        self.loader = loader
        self.inventory = inventory
        self.label = label
        self.open_groups: set[int] = set()  # guards against an alias that puts a group inside itself
        # (group name, node) pairs already walked: an alias repeats a node, and walking it again
        # under the same name adds nothing, but ten aliases per level would cost 10**levels walks.
        self.walked: set[tuple[str, int]] = set()

    def value(self, node: yaml.Node) -> object:
        return self.loader.construct_object(node, deep=True)

    def items(self, node: yaml.MappingNode) -> Iterator[tuple[str, yaml.Node, str]]:
        self.loader.flatten_mapping(node)  # resolves << merge keys
        for key_node, value_node in node.value:
            yield str(self.value(key_node)), value_node, _where(self.label, key_node)

    def group(self, name: str, node: yaml.Node | None, where: str) -> None:
        self.inventory.group(name)
        if node is None or _is_null(node):
            return
        if not isinstance(node, yaml.MappingNode):
            raise TargetError(where, f"group {name!r} must be a mapping with hosts, vars or children")
        if id(node) in self.open_groups:
            raise TargetError(where, f"group {name!r} contains itself")
        if (name, id(node)) in self.walked:
            return
        self.walked.add((name, id(node)))
        self.open_groups.add(id(node))
        for key, value, key_where in self.items(node):
            if _is_null(value):
                continue
            if key == "hosts":
                for host, host_node, host_where in self._entries(value, f"hosts of group {name!r}", key_where):
                    self._host(host, host_node, name, host_where)
            elif key == "children":
                for child, child_node, child_where in self._entries(value, f"children of group {name!r}", key_where):
                    self.group(child, child_node, child_where)
                    self.inventory.add_child(name, child, child_where)
            elif key == "vars":
                if not isinstance(value, yaml.MappingNode):
                    raise TargetError(key_where, f"vars of group {name!r} must be a mapping")
                for var, var_node, var_where in self.items(value):
                    self.inventory.set_group_var(name, var, Value(self.value(var_node), var_where))
            else:
                # Ansible only warns; a misspelt 'hosts' would silently lose every host under it.
                raise TargetError(
                    key_where, f"unexpected key {key!r} in group {name!r} (expected hosts, vars or children)"
                )
        self.open_groups.discard(id(node))

    def _entries(self, node: yaml.Node, what: str, where: str) -> Iterator[tuple[str, yaml.Node | None, str]]:
        if isinstance(node, yaml.MappingNode):
            yield from self.items(node)
        elif isinstance(node, yaml.ScalarNode):  # Ansible accepts a lone name in place of a mapping
            yield str(self.value(node)), None, where
        else:
            raise TargetError(where, f"{what} must be a mapping of names (name: followed by a colon), not a list")

    def _host(self, pattern: str, node: yaml.Node | None, group: str, where: str) -> None:
        variables: dict[str, Value] = {}
        if node is not None and not _is_null(node):
            if not isinstance(node, yaml.MappingNode):
                shown = self.value(node) if isinstance(node, yaml.ScalarNode) else "a list"
                raise TargetError(where, f"variables of host {pattern!r} must be a mapping, got {shown!r}")
            for var, var_node, var_where in self.items(node):
                variables[var] = Value(self.value(var_node), var_where)
        self.inventory.add_hosts(pattern, variables, group, where)
