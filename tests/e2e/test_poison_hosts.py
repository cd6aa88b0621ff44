"""One bad host never costs the others: poison replies among healthy hosts, over real WinRM."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from hvbpa.lab import HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.conftest import Invoke, validate_report
from tests.e2e.conftest import LAB_ENV
from tests.hardening.poison import invalid_utf8, poison_texts

StartFleet = Callable[..., RunningFleet]
BASIC_HTTP = ["--transport", "basic", "--scheme", "http", "--allow-unencrypted"]


@pytest.mark.parametrize("processes", ["1", "2"])
def test_poison_hosts_are_bad_output_and_the_rest_are_reported(
    cli: Invoke,
    lab_fleet: StartFleet,
    tmp_path: Path,
    processes: str,
) -> None:
    raw = tmp_path / "invalid-utf8.bin"
    raw.write_bytes(invalid_utf8("PUTF8"))
    poisons = {f"P-{label}": (text, words) for label, (text, words) in poison_texts("PX").items()}
    hosts = [HostConfig(name, snapshot_text=text) for name, (text, _) in poisons.items()]
    hosts.append(HostConfig("P-utf8", raw_output=raw))
    healthy = [f"OK{i}" for i in range(3)]
    hosts += [HostConfig(name, snapshot_text=host_snapshot_json(name, 4)) for name in healthy]
    running = lab_fleet(*hosts)
    targets = {f"127.0.0.1:{h.port}": h.name for h in running.hosts}
    out, sarif = tmp_path / "r.json", tmp_path / "r.sarif"
    result = cli(
        "scan", *targets, "-q", "--processes", processes, "--retries", "0", "-o", f"json:{out}",
        "-o", f"sarif:{sarif}", "-o", "table", *BASIC_HTTP, env=LAB_ENV,
    )  # fmt: skip
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    assert "Traceback" not in result.output
    # Strict JSON: a bare NaN or a lone surrogate would fail here.
    report = json.loads(out.read_text("utf-8"), parse_constant=lambda c: pytest.fail(f"{c} in the report"))
    json.loads(sarif.read_text("utf-8"), parse_constant=lambda c: pytest.fail(f"{c} in the SARIF"))
    validate_report(report)
    by_name = {targets[h["target"]]: h for h in report["hosts"]}
    for name in healthy:
        assert by_name[name]["status"] == "ok"
    # Every healthy host was evaluated; a poison host is "could not determine", never compliant.
    assert set(healthy) <= {r["host"] for r in report["results"]}
    assert all(r["status"] == "undetermined" for r in report["results"] if r["host"] not in healthy)
    for name, (_, words) in poisons.items():
        host = by_name[name]
        assert host["status"] == "bad_output", (name, host)
        assert words in host["reason"] and "\n" not in host["reason"], (name, host["reason"])
    assert by_name["P-utf8"]["status"] == "bad_output"
    assert "not UTF-8" in by_name["P-utf8"]["reason"]


def test_an_unwritable_report_fails_before_any_host_is_contacted(
    cli: Invoke, lab_fleet: StartFleet, tmp_path: Path
) -> None:
    running = lab_fleet(HostConfig("HV-W", snapshot_text=host_snapshot_json("HV-W", 1)))
    good = tmp_path / "good.json"
    result = cli(
        "scan", f"127.0.0.1:{running.hosts[0].port}", "-q", "-o", f"json:{good}", "-o", "sarif:/proc/hvbpa.sarif",
        *BASIC_HTTP, env=LAB_ENV,
    )  # fmt: skip
    assert result.exit_code == ExitCode.USAGE
    assert "/proc/hvbpa.sarif" in result.output and len(result.output.strip().splitlines()) == 1
    assert running.stats()["HV-W"].get("requests", 0) == 0
    assert not good.exists()


def test_damaged_and_oversized_compressed_answers_are_bad_output(
    cli: Invoke, lab_fleet: StartFleet, tmp_path: Path
) -> None:
    import base64
    import gzip

    from hvbpa.collect import delivery

    good = base64.b64encode(gzip.compress(host_snapshot_json("X", 1).encode())).decode()
    damaged = tmp_path / "damaged.bin"
    damaged.write_bytes((delivery.OUTPUT_MARKER + good[:40] + "A" * 40 + good[80:] + delivery.END_MARKER).encode())
    bomb = tmp_path / "bomb.bin"
    bombed = base64.b64encode(gzip.compress(b" " * 17_000_000)).decode()
    bomb.write_bytes((delivery.OUTPUT_MARKER + bombed + delivery.END_MARKER).encode())
    running = lab_fleet(
        HostConfig("DAMAGED", raw_output=damaged), HostConfig("BOMB", raw_output=bomb),
        HostConfig("FINE", snapshot_text=host_snapshot_json("FINE", 2)),
    )  # fmt: skip
    targets = {f"127.0.0.1:{h.port}": h.name for h in running.hosts}
    out = tmp_path / "r.json"
    result = cli("scan", *targets, "-q", "--processes", "1", "-o", f"json:{out}", *BASIC_HTTP, env=LAB_ENV)
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    hosts = {targets[h["target"]]: h for h in json.loads(out.read_text("utf-8"))["hosts"]}
    assert hosts["FINE"]["status"] == "ok"
    assert hosts["DAMAGED"]["status"] == "bad_output", hosts["DAMAGED"]
    assert hosts["BOMB"]["status"] == "bad_output" and "larger than 16 MB" in hosts["BOMB"]["reason"], hosts["BOMB"]
