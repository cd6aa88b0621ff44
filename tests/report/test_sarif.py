"""SARIF: valid against the OASIS schema, one result per affected VM, stable fingerprints."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.i18n import reason_text
from hvbpa.policy.fingerprint import FINGERPRINT_KEY, finding_fingerprint
from hvbpa.report.formats import HostOrigin, ReportContext
from hvbpa.report.sarif import artifact_location, render
from tests.conftest import CASES
from tests.support import ABSENT, DOWN, KOREAN, NO_MODULE, make_ctx, with_results

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_NAME = "sarif-schema-2.1.0.json"
# The shared copy beside the clone is the reference; the vendored one lets the test run anywhere.
SCHEMA_PLACES = (ROOT.parent / "shared" / "schemas" / SCHEMA_NAME, Path(__file__).parent / "data" / SCHEMA_NAME)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    path = next((p for p in SCHEMA_PLACES if p.is_file()), None)
    if path is None:
        pytest.skip(f"SARIF schema not found in {', '.join(map(str, SCHEMA_PLACES))}")
    schema = json.loads(path.read_text("utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def sarif(ctx: ReportContext) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render(ctx))
    return document


def test_valid_and_describes_the_rules(validator: jsonschema.Draft4Validator) -> None:
    document = sarif(make_ctx(ABSENT, KOREAN))
    validator.validate(document)
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("hvbpa", "0.1.0")
    (rule,) = driver["rules"]
    assert rule["id"] == "HVX003"
    assert rule["name"] == "failover-address-reaches-guest"
    assert rule["shortDescription"]["text"].startswith("The failover address will not be applied")
    assert rule["helpUri"].startswith("https://learn.microsoft.com/")
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"]["category"] == "configuration"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_the_validator_rejects_a_broken_log(validator: jsonschema.Draft4Validator) -> None:
    document = sarif(make_ctx(ABSENT))
    document["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)


def test_one_result_per_affected_vm_naming_host_and_vm() -> None:
    ctx = make_ctx(ABSENT, KOREAN)
    run = sarif(ctx)["runs"][0]
    failing = [r for r in run["results"] if r["kind"] == "fail"]
    assert [r["properties"]["vmName"] for r in failing] == ["app01", "데이터베이스"]
    app01 = failing[0]
    assert app01["level"] == "error"
    reason = reason_text(ctx.run.results[0].vms[0].reason)
    assert app01["message"]["text"].startswith(f"HV01/app01: {reason}; ")
    assert "192.0.2.50" in app01["message"]["text"]
    (location,) = app01["locations"][0]["logicalLocations"]
    assert location["fullyQualifiedName"] == "HV01/app01"
    described = run["logicalLocations"][location["index"]]
    assert described["kind"] == "resource"
    assert run["logicalLocations"][described["parentIndex"]] == {
        "name": "HV01",
        "fullyQualifiedName": "HV01",
        "kind": "namespace",
    }
    assert "suppressions" not in app01


def test_undetermined_vms_are_open_results(validator: jsonschema.Draft4Validator) -> None:
    document = sarif(make_ctx(CASES / "states-not-running" / "hv01.json"))
    validator.validate(document)
    results = document["runs"][0]["results"]
    assert {(r["kind"], r["level"]) for r in results} == {("open", "none")}
    assert len(results) == 3


def test_fingerprints_are_stable_across_runs_and_renames(tmp_path: Path) -> None:
    first = sarif(make_ctx(ABSENT))["runs"][0]["results"][0]
    again = sarif(make_ctx(ABSENT))["runs"][0]["results"][0]
    snapshot = json.loads(ABSENT.read_text("utf-8-sig"))
    for vm in snapshot["vms"]:
        vm["name"] = vm["name"].replace("app01", "app01-renamed")
    renamed_path = tmp_path / "renamed.json"
    renamed_path.write_text(json.dumps(snapshot), "utf-8")
    renamed = sarif(make_ctx(renamed_path))["runs"][0]["results"][0]
    assert renamed["properties"]["vmName"] == "app01-renamed"
    fingerprint = first["partialFingerprints"][FINGERPRINT_KEY]
    assert again["partialFingerprints"][FINGERPRINT_KEY] == fingerprint
    assert renamed["partialFingerprints"][FINGERPRINT_KEY] == fingerprint
    # The host is its FQDN (two hosts may share a Windows name), the VM its VMId.
    assert fingerprint == finding_fingerprint("HVX003", "HV01.example.test", first["properties"]["vmId"].upper())
    assert fingerprint != finding_fingerprint("HVX003", "HV01", first["properties"]["vmId"])
    assert fingerprint != finding_fingerprint("HVX003", "hv01.other.test", first["properties"]["vmId"])


def test_failed_and_unjudged_hosts_are_notifications(validator: jsonschema.Draft4Validator) -> None:
    document = sarif(make_ctx(NO_MODULE, DOWN))
    validator.validate(document)
    (invocation,) = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 3
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert texts == [
        "hv-down.contoso.test: the host could not be scanned (unreachable: connection refused)",
        "HV01: the Hyper-V PowerShell module is not installed on the host",
    ]
    assert invocation["toolExecutionNotifications"][1]["associatedRule"] == {"id": "HVX003", "index": 0}
    assert document["runs"][0]["results"] == []


def test_excluded_findings_carry_a_suppression(validator: jsonschema.Draft4Validator) -> None:
    ctx = make_ctx(ABSENT)
    label = "exclusions.toml:3: decommissioned next week"
    excluded = replace(ctx.run, results=tuple(replace(r, excluded_by=label) for r in ctx.run.results))
    document = sarif(with_results(ctx, excluded))
    validator.validate(document)
    (result,) = document["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "external", "status": "accepted", "justification": label}]


def test_korean_texts(validator: jsonschema.Draft4Validator) -> None:
    ctx = make_ctx(KOREAN, lang="ko")
    document = sarif(ctx)
    validator.validate(document)
    run = document["runs"][0]
    assert run["language"] == "ko-KR"
    assert run["tool"]["driver"]["rules"][0]["shortDescription"]["text"].startswith(
        "장애 조치 주소가 적용되지 않습니다"
    )
    (result,) = [r for r in run["results"] if r["kind"] == "fail"]
    reason = reason_text(ctx.run.results[0].vms[1].reason, "ko")
    # The reason, then the failover address that will not apply.
    assert result["message"]["text"].startswith(f"하이퍼V-서울/데이터베이스: {reason}; ")
    assert "192.0.2.69" in result["message"]["text"]
    assert "실행 중이지만" in reason
    assert "데이터베이스" in render(make_ctx(KOREAN, lang="ko")), "written as UTF-8, not \\u escapes"


_SEGMENT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="/\\\x00"), min_size=1, max_size=12)


@given(
    parts=st.lists(_SEGMENT.filter(lambda s: s not in (".", "..")), min_size=1, max_size=4),
    line=st.integers(1, 10**6),
    target=st.text(min_size=1, max_size=40),
)
def test_a_file_inside_the_working_directory_is_a_relative_uri(parts: list[str], line: int, target: str) -> None:
    cwd = Path("/work/checkout")
    artifact, start = artifact_location(HostOrigin("/".join(parts), line), target, cwd)
    assert artifact["uriBaseId"] == "%SRCROOT%" and start == line
    split = urlsplit(artifact["uri"])
    assert (split.scheme, split.netloc, split.query, split.fragment) == ("", "", "", "")
    assert unquote(artifact["uri"]) == "/".join(parts)
    assert artifact_location(HostOrigin(str(cwd.joinpath(*parts)), line), target, cwd) == (artifact, line)


@given(path=st.text(min_size=1, max_size=60).filter(lambda p: "\x00" not in p), target=st.text(min_size=1, max_size=60))
def test_every_location_is_a_relative_uri_reference(path: str, target: str) -> None:
    """GitHub refuses a whole upload over one absolute file: URI outside the checkout."""
    cwd = Path("/work/checkout")
    for origin in (HostOrigin(path, 7), None):
        artifact, start = artifact_location(origin, target, cwd)
        split = urlsplit(artifact["uri"])
        assert split.scheme == "" and split.netloc == "" and not artifact["uri"].startswith("/")
        assert ".." not in unquote(artifact["uri"]).split("/") and start >= 1
        assert all(ch.isascii() and ch.isprintable() and ch != " " for ch in artifact["uri"])


def test_a_host_named_on_the_command_line_has_a_file_of_its_own() -> None:
    cwd = Path("/work/checkout")
    assert artifact_location(None, "hv01.contoso.com:5985", cwd) == ({"uri": "hosts/hv01.contoso.com%3A5985"}, 1)
    assert artifact_location(HostOrigin("../inv.yml", 3), "HV01", cwd) == ({"uri": "hosts/HV01"}, 1)
    assert artifact_location(HostOrigin("/etc/hvbpa/inv.yml", 3), "HV01", cwd) == ({"uri": "hosts/HV01"}, 1)
    assert artifact_location(HostOrigin("./ci/../inv.yml", 3), "HV01", cwd) == (
        {"uri": "inv.yml", "uriBaseId": "%SRCROOT%"},
        3,
    )
