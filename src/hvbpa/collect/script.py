"""The collection script shipped in the package: what the client delivers, and what
the lab host recognises."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def collection_script() -> str:
    return resources.files("hvbpa.collect").joinpath("collect.ps1").read_text(encoding="utf-8")
