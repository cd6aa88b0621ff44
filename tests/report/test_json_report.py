"""The JSON report says, for each rule, which rule of the BPA's discovery script it decides as."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CASES, FIXED_NOW, Invoke, validate_report


def test_rules_carry_their_bpa_rule(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    snapshot = CASES / "absent-with-failover-ip" / "hv01.json"
    cli("evaluate", str(snapshot), "--now", FIXED_NOW, "-o", f"json:{out}", "-q")
    report = json.loads(out.read_text("utf-8"))
    validate_report(report)
    rules = {r["id"]: r for r in report["rules"]}
    assert (rules["HVR001"]["bpa_rule"], rules["HVR018"]["bpa_rule"]) == (230, 244)
    assert rules["HVX003"]["bpa_rule"] is None
