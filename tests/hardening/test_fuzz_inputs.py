"""Property-based and mutation fuzzing of every input file, through the real CLI.

The invariant for every example: exit in {0, 1, 2, 3}, never a traceback (the CLI turns
any escaped exception into exit 4, which fails here), an error is one line, and any
JSON report written is strict JSON valid against the shipped schema. Example counts are
bounded so the whole suite stays within its time budget.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvbpa.cli.main import main
from hvbpa.collect.delivery import encode_answer
from hvbpa.evaluate.ruleset import shipped_rules_dir
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.conftest import CASES, FIXED_NOW, validate_report
from tests.hardening.mutate import NASTY, mutated, writable

# HVBPA_FUZZ_EXAMPLES=2000 for a long run by hand; the suite keeps to its budget.
EXAMPLES = int(os.environ.get("HVBPA_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE_ENV = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "NO_COLOR": "1", "HVBPA_PASSWORD": ""}
SNAPSHOT_SEED = host_snapshot_json("HV-FUZZ", 3)
GOOD_SNAPSHOT = CASES / "absent-with-failover-ip"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={**BASE_ENV, **(env or {})}, catch_exceptions=False)


def check(result: Result, report: Path | None = None) -> None:
    assert result.exit_code in (0, 1, 2, 3), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) == 1, result.output
    elif report is not None and report.exists():
        document = json.loads(report.read_text("utf-8"), parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
        validate_report(document)


@contextmanager
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="hvbpa-fuzz-") as name:
        yield Path(name)


def _good_snapshots() -> list[str]:
    return [str(p) for p in sorted(GOOD_SNAPSHOT.glob("*.json"))]


def _seed_report() -> str:
    with folder() as where:
        out = where / "r.json"
        result = run("evaluate", *_good_snapshots(), "--now", FIXED_NOW, "-o", f"json:{out}")
        assert result.exit_code in (0, 1), result.output
        return out.read_text("utf-8")


REPORT_SEED = _seed_report()


def _seed_baseline() -> str:
    with folder() as where:
        (where / "r.json").write_text(REPORT_SEED, "utf-8")
        assert run("baseline", "create", str(where / "r.json"), "-o", str(where / "b.json")).exit_code == 0
        return (where / "b.json").read_text("utf-8")


BASELINE_SEED = _seed_baseline()
RULE_SEED = next(shipped_rules_dir().glob("*.toml")).read_text("utf-8").replace('id = "HVR001"', 'id = "HVR901"', 1)
EXCLUSIONS_SEED = """# accepted
[[exclusion]]
rule = "HVR001"
host = "hv0*"
vm_id = "6f1b3c8e-1d2a-4b5c-9e8f-0a1b2c3d4e5f"
justification = "appliance; vendor ticket 4411"
expires = 2027-03-31

[[exclusion]]
rule = "HVR001"
vm = "*"
justification = "lab"
"""
CONFIG_SEED = 'fail-on = "error"\njobs = 8\ntimeout = "90s"\ngrace-period = "15m"\nrule = ["HVR001"]\nlang = "en"\n'


@FUZZ
@given(text=mutated(SNAPSHOT_SEED))
def test_snapshot_files(text: str) -> None:
    with folder() as where:
        path, out = where / "snap.json", where / "out.json"
        path.write_bytes(writable(text))
        check(run("evaluate", str(path), "--now", FIXED_NOW, "-o", f"json:{out}"), out)


RAW_SEED = encode_answer(host_snapshot_json("HV-RAW", 2)) + "\r\n"


@FUZZ
@given(text=mutated(RAW_SEED))
def test_raw_captures(text: str) -> None:
    """What `hvbpa collect --raw` saves: the host's stdout, decoded exactly as a live answer is."""
    with folder() as where:
        path, out = where / "capture.bin", where / "out.json"
        path.write_bytes(writable(text))
        check(run("evaluate", str(path), "--now", FIXED_NOW, "-o", f"json:{out}"), out)


@FUZZ
@given(text=mutated(RULE_SEED))
def test_rule_files(text: str) -> None:
    with folder() as where:
        (where / "rules").mkdir()
        (where / "rules" / "r.toml").write_bytes(writable(text))
        out = where / "out.json"
        check(run("evaluate", *_good_snapshots(), "--rules-dir", str(where / "rules"), "-o", f"json:{out}"), out)


@FUZZ
@given(text=mutated(EXCLUSIONS_SEED))
def test_exclusion_files(text: str) -> None:
    with folder() as where:
        path, out = where / "ex.toml", where / "out.json"
        path.write_bytes(writable(text))
        check(
            run("evaluate", *_good_snapshots(), "--now", FIXED_NOW, "--exclusions", str(path), "-o", f"json:{out}"), out
        )


@FUZZ
@given(text=mutated(BASELINE_SEED))
def test_baseline_files(text: str) -> None:
    with folder() as where:
        path, out = where / "base.json", where / "out.json"
        path.write_bytes(writable(text))
        check(
            run("evaluate", *_good_snapshots(), "--now", FIXED_NOW, "--baseline", str(path), "-o", f"json:{out}"), out
        )


@FUZZ
@given(text=mutated(REPORT_SEED))
def test_saved_reports_for_merge_and_baseline(text: str) -> None:
    with folder() as where:
        path, good, out = where / "a.json", where / "b.json", where / "merged.json"
        path.write_bytes(writable(text))
        good.write_text(REPORT_SEED, "utf-8")
        check(run("report", "merge", str(path), str(good), "-o", f"json:{out}"), out)
        check(run("baseline", "create", str(path), "-o", str(where / "base.json")))


@FUZZ
@given(
    document=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=12,
    ),
    key=st.sampled_from(("run", "hosts", "results", "summary", "tool", "rules", None)),
)
def test_saved_reports_with_any_value_anywhere(document: object, key: str | None) -> None:
    """The report's own shape with one part replaced by any JSON value (a list for run, a mapping for hosts...)."""
    report = json.loads(REPORT_SEED)
    if key is None:
        report["hosts"][0]["snapshot"] = document
    else:
        report[key] = document
    with folder() as where:
        path, out = where / "a.json", where / "merged.json"
        path.write_text(json.dumps(report, allow_nan=True), "utf-8")
        check(run("report", "merge", str(path), "-o", f"json:{out}"), out)
        check(run("baseline", "create", str(path), "-o", str(where / "base.json")))


@FUZZ
@given(text=mutated(CONFIG_SEED), pyproject=st.booleans())
def test_configuration_files(text: str, pyproject: bool) -> None:
    with folder() as where:
        if pyproject:
            (where / "pyproject.toml").write_bytes(writable("[project]\nname = 'x'\n\n[tool.hvbpa]\n" + text))
        else:
            (where / "hvbpa.toml").write_bytes(writable(text))
        out = where / "out.json"
        before = Path.cwd()
        os.chdir(where)
        try:
            check(run("evaluate", *_good_snapshots(), "-o", f"json:{out}"), out)
        finally:
            os.chdir(before)


SETTING_NAMES = (
    "OUTPUT", "RULES_DIR", "RULE", "SKIP_RULE", "GRACE_PERIOD", "FAIL_ON", "EXIT_ZERO", "LANG", "SHOW_EXCLUDED",
    "EXCLUSIONS", "BASELINE", "JOBS", "QUIET", "TIMEOUT", "CONNECT_TIMEOUT", "OPERATION_TIMEOUT", "RETRIES",
    "TRANSPORT", "SCHEME", "PORT", "CA_TRUST_PATH", "CERT_PEM", "CERT_KEY_PEM", "USERNAME",
)  # fmt: skip


@FUZZ
@given(
    variables=st.dictionaries(
        st.sampled_from(SETTING_NAMES),
        st.sampled_from(NASTY).filter(lambda v: "\x00" not in v)
        | st.text(max_size=12).filter(lambda v: "\x00" not in v),
        min_size=1,
        max_size=3,
    )
)
def test_environment_variables(variables: dict[str, str]) -> None:
    env = {f"HVBPA_{name}": value.encode("utf-8", "replace").decode("utf-8") for name, value in variables.items()}
    with folder() as where:
        out = where / "out.json"
        check(run("evaluate", *_good_snapshots(), "-o", f"json:{out}", env=env), out)
