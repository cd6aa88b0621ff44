"""Reading a JSON report written earlier (for `report merge` and `baseline create`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hvbpa.errors import InputError
from hvbpa.report.json_report import READABLE_SCHEMAS, REPORT_SCHEMA


def read_report(path: Path) -> dict[str, Any]:
    """The document, or a one-line InputError that names the file."""
    try:
        document = json.loads(path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(document, dict) or document.get("schema") not in READABLE_SCHEMAS:
        raise InputError(f"{path}: not an hvbpa JSON report (schema {REPORT_SCHEMA})")
    return document
