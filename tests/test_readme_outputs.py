"""Every file the README's commands and the CI examples write into the checkout is in .gitignore:
someone following them must not find the reports among their changes, or commit them."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# -o FORMAT:PATH or -o PATH, --hosts-out/--inventory-out PATH, and a shell redirection to a file.
_WRITES = re.compile(
    r"(?:\s-o|--output)\s+(?:(?:table|json|sarif|junit|csv):)?(?P<o>[^\s|;&]+)"
    r"|--(?:hosts|inventory)-out\s+(?P<out>[^\s|;&]+)"
    r"|\s\d?>>?\s*(?P<redirect>[^\s&|;>]+)"
)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
FORMATS = {"table", "json", "sarif", "junit", "csv", "-"}


def written(command: str) -> set[str]:
    found = set()
    # A quoted ">" is an argument (jq's comparison), not a redirection.
    for match in _WRITES.finditer(" " + _QUOTED.sub("''", command)):
        name = next(g for g in match.groups() if g)
        if name not in FORMATS and not name.startswith(("/", "&", "$")):
            found.add(name)
    return found


def ignored(name: str, gitignore: str) -> bool:
    patterns = [line.strip() for line in gitignore.splitlines() if line.strip() and not line.startswith("#")]
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(Path(name).name, p) for p in patterns)


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = [line for block in re.findall(r"```sh\n(.*?)```", readme, re.S) for line in block.splitlines()]
    github = yaml.safe_load((ROOT / "examples/ci/github-actions.yml").read_text("utf-8"))
    commands += [step["run"] for job in github["jobs"].values() for step in job["steps"] if "run" in step]
    gitlab = yaml.safe_load((ROOT / "examples/ci/gitlab-ci.yml").read_text("utf-8"))
    commands += [c for job in gitlab.values() for c in job["script"]]
    return commands


def _gitlab_artifacts() -> set[str]:
    gitlab = yaml.safe_load((ROOT / "examples/ci/gitlab-ci.yml").read_text("utf-8"))
    return {path for job in gitlab.values() for path in job["artifacts"]["paths"]}


def test_what_the_readme_and_ci_examples_write_is_ignored() -> None:
    gitignore = (ROOT / ".gitignore").read_text("utf-8")
    outputs = set().union(*(written(c) for c in _commands()))
    outputs |= _gitlab_artifacts()
    # The ones the README shows today, so that a change in how it writes them is noticed here.
    assert {"report.json", "hvbpa.sarif", "hvbpa-junit.xml", "lab-ready.txt", "lab.log", "hosts.txt"} <= outputs
    assert [name for name in sorted(outputs) if not ignored(name, gitignore)] == []


def test_the_parser_finds_each_way_of_writing_a_file() -> None:
    assert written("hvbpa scan h -o json:r.json -o table -o sarif:x.sarif 2> err.txt") == {
        "r.json",
        "x.sarif",
        "err.txt",
    }
    assert written("hvbpa lab serve --hosts-out h.txt --inventory-out i.ini > lab.log 2>&1 &") == {
        "h.txt", "i.ini", "lab.log",
    }  # fmt: skip
    assert written("hvbpa collect hv01 -o hv01.json") == {"hv01.json"}
    assert written("jq -e '.a > now' r.json >/dev/null 2>> /var/log/h.log || echo \"a > b\"") == set()
    assert written("hvbpa scan h 2>>scan.log") == {"scan.log"}
    assert not ignored("new-report.json", "report.json\n# comment\n")
    assert ignored("bench/results/x.tmp", "bench/results/*.tmp\n")
