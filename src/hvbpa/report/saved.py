"""Reading a JSON report written earlier (for `report merge` and `baseline create`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hvbpa.errors import InputError
from hvbpa.report.json_report import REPORT_SCHEMA
from hvbpa.snapshot import json_problem


def read_report(path: Path) -> dict[str, Any]:
    """The document, or a one-line InputError that names the file."""
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a JSON report file (not UTF-8 text)") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not a JSON report file: {json_problem(exc, text)}") from None
    if isinstance(document, dict) and str(document.get("schema", "")).startswith("hvbpa.snapshot/"):
        raise InputError(f"{path}: a host snapshot file, not a JSON report: evaluate it with hvbpa evaluate {path}")
    if not isinstance(document, dict) or document.get("schema") != REPORT_SCHEMA:
        raise InputError(f"{path}: not an hvbpa JSON report file (schema {REPORT_SCHEMA}, from -o json:FILE)")
    return document
