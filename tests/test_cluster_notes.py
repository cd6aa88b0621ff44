"""A report says which nodes of a scanned cluster were not scanned (their VMs are missing)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CASES, FIXED_NOW, Invoke


def _with_nodes(source: Path, target: Path, nodes: list[str] | None) -> Path:
    document = json.loads(source.read_text("utf-8-sig"))
    document["host"]["cluster_nodes"] = nodes
    target.write_text(json.dumps(document), encoding="utf-8")
    return target


def test_unscanned_nodes_are_named(cli: Invoke, tmp_path: Path) -> None:
    nodes = ["NODE1", "NODE2", "NODE3"]
    files = [
        _with_nodes(CASES / "cluster-duplicate" / f"{n}.json", tmp_path / f"{n}.json", nodes)
        for n in ("node1", "node2")
    ]
    out = tmp_path / "r.json"
    cli("evaluate", *map(str, files), "-o", f"json:{out}", "--now", FIXED_NOW)
    notes = json.loads(out.read_text("utf-8"))["notes"]
    assert notes == ["cluster CL01: node(s) NODE3 not scanned; the VMs they own are not in this report"]


def test_no_note_when_every_node_was_scanned_or_nodes_are_unknown(cli: Invoke, tmp_path: Path) -> None:
    for nodes in (["node1.example.test", "NODE2"], None):
        files = [
            _with_nodes(CASES / "cluster-duplicate" / f"{n}.json", tmp_path / f"{n}.json", nodes)
            for n in ("node1", "node2")
        ]
        out = tmp_path / "r.json"
        cli("evaluate", *map(str, files), "-o", f"json:{out}", "--now", FIXED_NOW)
        assert json.loads(out.read_text("utf-8"))["notes"] == []
