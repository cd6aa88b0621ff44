"""Report schema versions: version 2 is version 1 plus the host-level results, nothing less."""

from __future__ import annotations

from typing import Any

from tests.conftest import shipped_schema


def _properties(node: Any, path: str = "") -> set[str]:
    """Every property path a schema names, through nested objects and $defs."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            found.add(f"{path}.{key}")
            found |= _properties(value, f"{path}.{key}")
        for key, value in node.get("$defs", {}).items():
            found |= _properties(value, f"$defs.{key}")
        for key in ("items", "oneOf"):
            for child in value if isinstance(value := node.get(key), list) else [value]:
                found |= _properties(child, path)
    return found


def test_version_2_keeps_everything_version_1_has() -> None:
    v1, v2 = shipped_schema("report-v1.schema.json"), shipped_schema("report-v2.schema.json")
    assert _properties(v1) <= _properties(v2), "a field added to report-v1 must be in report-v2 too"
    added = _properties(v2) - _properties(v1)
    assert {"$defs.result.scope", "$defs.result.verdict", ".rules.judged_per"} <= added
    assert v2["properties"]["schema"] == {"const": "hvbpa.report/2"}
