"""Snapshots that Python's json module reads but no report can carry, shared by the scan and evaluate tests."""

from __future__ import annotations

import json

from hvbpa.snapshot.synthetic import host_snapshot, host_snapshot_json


def _with_uptime(name: str, literal: str) -> str:
    text = host_snapshot_json(name, 2, mix=False)
    uptime = json.dumps(host_snapshot(name, 2, mix=False)["vms"][0]["uptime_seconds"])
    assert f'"uptime_seconds": {uptime}' in text
    return text.replace(f'"uptime_seconds": {uptime}', f'"uptime_seconds": {literal}', 1)


def _duplicate_vm_id(name: str) -> str:
    document = host_snapshot(name, 2, mix=False)
    document["vms"][1]["id"] = document["vms"][0]["id"].upper()
    return json.dumps(document)


def _deep(name: str) -> str:
    text = host_snapshot_json(name, 1, mix=False)
    return text[:-1] + ', "extra": ' + "[" * 50_000 + "]" * 50_000 + "}"


def poison_texts(name: str) -> dict[str, tuple[str, str]]:
    """label -> (snapshot text, words the one-line reason must hold)."""
    return {
        "nan": (_with_uptime(name, "NaN"), "vms[0].uptime_seconds"),
        "infinity": (_with_uptime(name, "-Infinity"), "vms[0].uptime_seconds"),
        "1e999": (_with_uptime(name, "1e999"), "vms[0].uptime_seconds"),
        "huge-int": (_with_uptime(name, "9" * 5000), "too many digits"),
        "surrogate": (host_snapshot_json(name, 1, mix=False).replace(f'"name": "{name}"', '"name": "app\\ud800"', 1),
                      "host.name"),
        "deep": (_deep(name), "nested too deeply"),
        "duplicate-vmid": (_duplicate_vm_id(name), "vms[1].id"),
    }  # fmt: skip


def invalid_utf8(name: str) -> bytes:
    text = host_snapshot_json(name, 1, mix=False).replace(f'"{name}"', '"HV\udcff"', 1)
    return text.encode("utf-8", "surrogateescape")  # a lone 0xFF byte
