"""Mutation fuzzing of hosts files and Ansible inventories (INI, YAML, group_vars/, host_vars/).

Through the CLI's own target reading (collect_targets, then the per-host safety check),
not a scan: a mutated inventory must never make the tests connect anywhere. Invariant:
a list of targets or one HvbpaError with a one-line message, never another exception.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvbpa.cli.common import one_line
from hvbpa.cli.connection_options import check_targets, collect_targets
from hvbpa.collect import ConnectionSettings
from hvbpa.errors import HvbpaError
from tests.hardening.mutate import mutated, writable

EXAMPLES = int(os.environ.get("HVBPA_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DATA = Path(__file__).parents[1] / "targets" / "data"
HOSTS_SEED = (
    "# hosts\nhv01\nhv02.contoso.com:5986\n10.0.0.3\n[fe80::1]:5985\nhttps://hv05:5986/wsman\n\nhv06  # trailing\n"
)
INI_SEED = (DATA / "fleet.ini").read_text("utf-8")
YAML_SEED = (DATA / "fleet.yml").read_text("utf-8")
VARS_SEED = (DATA / "vars_dirs" / "group_vars" / "all.yml").read_text("utf-8")


def read(path: Path, *, inventory: bool, limit: str | None = None) -> None:
    started = time.monotonic()
    try:
        targets = collect_targets((), () if inventory else (path,), (path,) if inventory else (), limit)
        check_targets(targets, ConnectionSettings(username="u"))
    except HvbpaError as exc:
        # The CLI prints it through one_line(); it must hold something to print.
        assert len(one_line(str(exc)).splitlines()) == 1, str(exc)
    assert time.monotonic() - started < 5, "reading one small file must not take seconds"


def _copy_vars_tree(where: Path, inventory_name: str, text: str) -> Path:
    shutil.copytree(DATA / "vars_dirs", where / "inv", symlinks=True)
    (where / "inv" / "group_vars" / "all.yml").write_bytes(writable(text))
    return where / "inv" / inventory_name


@FUZZ
@given(text=mutated(HOSTS_SEED))
def test_hosts_files(text: str) -> None:
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "hosts.txt"
        path.write_bytes(writable(text))
        read(path, inventory=False)


@FUZZ
@given(text=mutated(INI_SEED), limit=st.sampled_from((None, "hyperv", "cluster_*:!hv-b1", "~hv-a0[12]", "all[0:1]")))
def test_ini_inventories(text: str, limit: str | None) -> None:
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "inventory.ini"
        path.write_bytes(writable(text))
        read(path, inventory=True, limit=limit)


@FUZZ
@given(text=mutated(YAML_SEED), limit=st.sampled_from((None, "hyperv", "cluster_b", "&hyperv")))
def test_yaml_inventories(text: str, limit: str | None) -> None:
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "inventory.yml"
        path.write_bytes(writable(text))
        read(path, inventory=True, limit=limit)


@FUZZ
@given(text=mutated(VARS_SEED), inventory=st.sampled_from(("inventory.ini", "inventory.yml")))
def test_group_vars_files(text: str, inventory: str) -> None:
    with tempfile.TemporaryDirectory() as name:
        read(_copy_vars_tree(Path(name), inventory, text), inventory=True)


def alias_graph(levels: int, fan_out: int = 10) -> str:
    """Each level's children are ``fan_out`` aliases of the level below: 10**levels paths, few groups."""
    lines = ["all:", "  children:", "    l0: &l0", "      hosts:", "        hv01:", "          ansible_host: 10.0.0.1"]
    for level in range(1, levels + 1):
        lines += [f"    l{level}: &l{level}", "      children:"]
        lines += [f"        g{level}_{i}: *l{level - 1}" for i in range(fan_out)]
    return "\n".join(lines) + "\n"


def billion_laughs() -> str:
    """A variable whose value is 10**9 leaves through nine levels of aliases, on the scanned host."""
    lines = ["all:", "  hosts:", "    hv01:", "  vars:", "    p0: &p0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"]
    lines += [f"    p{n}: &p{n} [{', '.join([f'*p{n - 1}'] * 10)}]" for n in range(1, 9)]
    lines += [f"    ansible_port: [{', '.join(['*p8'] * 10)}]"]
    return "\n".join(lines) + "\n"


def test_yaml_alias_graph_is_walked_once_per_group(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yml"
    text = alias_graph(9)
    assert len(text) < 4096
    path.write_text(text, "utf-8")
    started = time.monotonic()
    (target,) = collect_targets((), (), (path,), None)
    took = time.monotonic() - started
    assert target.name == "hv01" and target.address == "10.0.0.1"
    assert took < 0.5, took


def test_yaml_alias_expansion_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yml"
    path.write_text(billion_laughs(), "utf-8")
    started = time.monotonic()
    try:
        collect_targets((), (), (path,), None)
        raise AssertionError("ansible_port as a list must be refused")
    except HvbpaError as exc:
        assert "ansible_port" in str(exc) and len(str(exc)) < 300, str(exc)
    assert time.monotonic() - started < 0.5


def _chain(groups: int) -> str:
    """g0 > g1 > ... > gN with the host at the bottom, written bottom-up (the worst order for a loop check)."""
    lines: list[str] = []
    for i in reversed(range(groups)):
        lines += [f"[g{i}:children]", f"g{i + 1}"]
    return "\n".join([*lines, f"[g{groups}]", "hv01"]) + "\n"


def test_a_long_chain_of_groups_is_read_in_linear_time(tmp_path: Path) -> None:
    """Was a RecursionError at 1,000 levels and 33 s at 20,000 (a loop check per edge)."""
    path = tmp_path / "chain.ini"
    path.write_text(_chain(20_000), "utf-8")
    started = time.monotonic()
    (target,) = collect_targets((), (), (path,), "g0")
    assert target.name == "hv01"
    assert time.monotonic() - started < 3


def test_a_loop_through_all_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.ini"
    path.write_text("[g:children]\nall\n[g]\nhv01\n", "utf-8")
    try:
        collect_targets((), (), (path,), None)
        raise AssertionError("a loop must be refused")
    except HvbpaError as exc:
        assert "that makes a loop" in str(exc)
