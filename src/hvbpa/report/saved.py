"""Reading a JSON report written earlier (for `report merge` and `baseline create`)."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from hvbpa.durations import parse_moment
from hvbpa.errors import InputError
from hvbpa.report.json_report import READABLE_SCHEMAS, REPORT_SCHEMA
from hvbpa.snapshot import json_problem
from hvbpa.strict_json import StrictJSONError, strict_loads


def read_report(path: Path) -> dict[str, Any]:
    """The document, or a one-line InputError that names the file."""
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a JSON report file (not UTF-8 text)") from None
    try:
        document = strict_loads(text)
    except StrictJSONError as exc:
        problem = json_problem(exc.decode, text) if exc.decode else str(exc)
        raise InputError(f"{path}: not a JSON report file: {problem}") from None
    if isinstance(document, dict) and str(document.get("schema", "")).startswith("hvbpa.snapshot/"):
        raise InputError(f"{path}: a host snapshot file, not a JSON report: evaluate it with hvbpa evaluate {path}")
    if not isinstance(document, dict) or document.get("schema") not in READABLE_SCHEMAS:
        raise InputError(f"{path}: not an hvbpa JSON report file (schema {REPORT_SCHEMA}, from -o json:FILE)")
    broken = _schema_problem(document) or _times_problem(document)
    if broken:
        raise InputError(f"{path}: not a valid hvbpa JSON report: {broken}")
    return document


@functools.cache
def _validator(version: str) -> Any:
    """The shipped schema of the document's own version (report-v1 or report-v2)."""
    import jsonschema

    name = f"report-v{version}.schema.json"
    schema = json.loads(resources.files("hvbpa.schemas").joinpath(name).read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _schema_problem(document: dict[str, Any]) -> str | None:
    """The first place the document breaks the shipped schema, on one line (a run that is a
    list, hosts that are a mapping...), so no later step meets a type it does not expect."""
    import jsonschema

    version = str(document["schema"]).rsplit("/", 1)[-1]
    error = jsonschema.exceptions.best_match(_validator(version).iter_errors(document))
    if error is None:
        return None
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
    message = " ".join(error.message.split())
    return f"{where or 'document'}: {message[:160]}"


def _times_problem(document: dict[str, Any]) -> str | None:
    """The schema says date-time, which jsonschema leaves unchecked; merge and baseline read them."""
    for key in ("started", "finished"):
        value = document["run"][key]
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return f"run.{key}: {value[:40]!r} is not an ISO 8601 time"
        try:
            parse_moment(value)
        except ValueError as exc:
            return f"run.{key}: {exc}"
    return None
