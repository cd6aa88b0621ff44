"""Settings: hvbpa.toml, else [tool.hvbpa]; HVBPA_* over the file; every key checked."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.config import SETTINGS, load_config
from hvbpa.errors import ConfigError


def test_nothing_configured(tmp_path: Path) -> None:
    assert load_config(tmp_path, {}) == {}
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")
    assert load_config(tmp_path, {}) == {}


def test_hvbpa_toml_keys_become_option_names(tmp_path: Path) -> None:
    (tmp_path / "hvbpa.toml").write_text(
        'fail-on = "Error"\nlang = "ko"\njobs = 8\ntimeout = "90s"\ngrace_period = 15\n'
        'output = ["json:report.json", "sarif:out.sarif"]\nexclusions = "exclusions.toml"\nshow-excluded = true\n',
        "utf-8",
    )
    assert load_config(tmp_path, {}) == {
        "fail_on": "error",
        "lang": "ko",
        "jobs": 8,
        "timeout": "90s",
        "grace_period": "15",
        "outputs": ("json:report.json", "sarif:out.sarif"),
        "exclusions": "exclusions.toml",
        "show_excluded": True,
    }


def test_pyproject_is_used_only_without_hvbpa_toml(tmp_path: Path) -> None:
    pyproject = '[tool.ruff]\nline-length = 1\n\n[tool.hvbpa]\nfail-on = "never"\n'
    (tmp_path / "pyproject.toml").write_text(pyproject, "utf-8")
    assert load_config(tmp_path, {}) == {"fail_on": "never"}
    (tmp_path / "hvbpa.toml").write_text('fail-on = "error"\n', "utf-8")
    assert load_config(tmp_path, {}) == {"fail_on": "error"}


def test_environment_beats_the_file(tmp_path: Path) -> None:
    (tmp_path / "hvbpa.toml").write_text('fail-on = "error"\njobs = 8\nlang = "ko"\n', "utf-8")
    environ = {
        "HVBPA_FAIL_ON": "information",
        "HVBPA_JOBS": "4",
        "HVBPA_LANG": "",  # empty means unset
        "HVBPA_OUTPUT": "junit:j.xml, csv:c.csv",
        "HVBPA_BASELINE": "baseline.json",
        "HVBPA_EXIT_ZERO": "yes",
        "HVBPA_UNRELATED": "ignored",
    }
    assert load_config(tmp_path, environ) == {
        "fail_on": "information",
        "jobs": 4,
        "lang": "ko",
        "outputs": ("junit:j.xml", "csv:c.csv"),
        "baseline": "baseline.json",
        "exit_zero": True,
    }


def test_command_line_beats_both_through_default_map(tmp_path: Path) -> None:
    (tmp_path / "hvbpa.toml").write_text('fail-on = "error"\nlang = "ko"\n', "utf-8")
    defaults = load_config(tmp_path, {"HVBPA_LANG": "en"})

    @click.command()
    @click.option("--fail-on", default="warning")
    @click.option("--lang", default=None)
    def show(fail_on: str, lang: str) -> None:
        click.echo(f"{fail_on} {lang}")

    runner = CliRunner()
    assert runner.invoke(show, [], default_map=defaults).output == "error en\n"
    assert runner.invoke(show, ["--fail-on", "never"], default_map=defaults).output == "never en\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('jobs = 8\nfail_onn = "error"\n', "hvbpa.toml:2: unknown key 'fail_onn'"),
        ('username = "ops"\npassword = "hunter2"\n', "hvbpa.toml:2: 'password' is not allowed: passwords never go"),
        ('winrm_password = "x"\n', "hvbpa.toml:1: 'winrm_password' is not allowed"),
        ("insecure-skip-tls-verify = true\n", "hvbpa.toml:1: 'insecure-skip-tls-verify' is not allowed in a file"),
        ('fail-on = "critical"\n', "hvbpa.toml:1: fail-on: expected one of error, warning, information, never"),
        ("jobs = 0\n", "hvbpa.toml:1: jobs: expected a whole number from 1 to 512"),
        ("jobs = true\n", "hvbpa.toml:1: jobs: expected a whole number"),
        ('timeout = "soon"\n', "hvbpa.toml:1: timeout: expected a duration"),
        ("output = []\n", "hvbpa.toml:1: output: expected a list of non-empty strings"),
        ('lang = "ko"\nfail-on = \n', "hvbpa.toml:2: not valid TOML: Invalid value"),
    ],
)
def test_bad_file(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "hvbpa.toml").write_text(content, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {})
    assert str(caught.value).startswith(f"{tmp_path / message}"), str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_bad_pyproject_key_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.x]\ncolour = 1\n\n[tool.hvbpa]\ncolour = "blue"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"pyproject\.toml:5: unknown key 'colour'"):
        load_config(tmp_path, {})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HVBPA_FAIL_ON", "fatal", "environment variable HVBPA_FAIL_ON: expected one of"),
        ("HVBPA_JOBS", "many", "environment variable HVBPA_JOBS: expected a whole number"),
        ("HVBPA_SHOW_EXCLUDED", "maybe", "environment variable HVBPA_SHOW_EXCLUDED: expected true or false"),
        ("HVBPA_GRACE_PERIOD", "10 minutes", "environment variable HVBPA_GRACE_PERIOD: expected a duration"),
    ],
)
def test_bad_environment(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, {name: value})


def test_password_is_never_read_from_the_environment_by_config(tmp_path: Path) -> None:
    assert load_config(tmp_path, {"HVBPA_PASSWORD": "hunter2", "HVBPA_USERNAME": "ops"}) == {}
    assert all("password" not in s.key for s in SETTINGS)


def test_config_names_a_file_elsewhere_and_its_paths_start_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduled task starts in System32 or $HOME, not the project's folder: --config PATH."""
    import json

    from hvbpa.cli.main import main
    from tests.conftest import CASES, FIXED_NOW

    project, elsewhere = tmp_path / "hvbpa job", tmp_path / "cwd"
    project.mkdir()
    elsewhere.mkdir()
    (elsewhere / "hvbpa.toml").write_text('fail-on = "never"\n', "utf-8")  # not this one
    (project / "hvbpa.toml").write_text(
        'output = ["json:reports/today.json", "table"]\nfail-on = "information"\nexclusions = "accepted.toml"\n',
        "utf-8",
    )
    (project / "reports").mkdir()
    (project / "accepted.toml").write_text(
        '[[exclusion]]\nrule = "HVR999"\nhost = "*"\njustification = "none"\n', "utf-8"
    )
    monkeypatch.chdir(elsewhere)
    snapshot = str(CASES / "single-vm-installed-enum-names" / "hv01.json")
    env = {"LANG": "C.UTF-8", "NO_COLOR": "1"}
    for args, extra in (
        (["--config", str(project / "hvbpa.toml")], {}),
        ([], {"HVBPA_CONFIG": str(project / "hvbpa.toml")}),
    ):
        result = CliRunner().invoke(main, [*args, "evaluate", snapshot, "--now", FIXED_NOW], env={**env, **extra})
        # The project's exclusions file was found (its unknown rule is a usage error naming it).
        assert result.exit_code == 2, result.output
        assert str(project / "accepted.toml") in result.output and "HVR999" in result.output
    (project / "hvbpa.toml").write_text('output = ["json:reports/today.json"]\nfail-on = "never"\n', "utf-8")
    result = CliRunner().invoke(main, ["--config", str(project / "hvbpa.toml"), "evaluate", snapshot], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads((project / "reports" / "today.json").read_text("utf-8"))["run"]["exit_code"] == 0
    assert not (elsewhere / "reports").exists()
    missing = CliRunner().invoke(main, ["--config", str(tmp_path / "none.toml"), "rules", "list"], env=env)
    assert missing.exit_code == 2 and "none.toml: configuration file not found" in missing.output


def test_config_may_name_a_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.hvbpa]\njobs = "x"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"pyproject.toml:5: jobs"):
        load_config(Path("/"), {}, tmp_path / "pyproject.toml")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"no \[tool.hvbpa\] table"):
        load_config(Path("/"), {}, tmp_path / "pyproject.toml")


_NAMES = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\:\x00"), min_size=1, max_size=20
).filter(lambda t: t.strip() == t and t not in (".", ".."))


@given(
    parts=st.lists(_NAMES, min_size=1, max_size=3), absolute=st.booleans(), key=st.sampled_from(["output", "baseline"])
)
def test_config_paths_are_relative_to_the_file(tmp_path_factory: pytest.TempPathFactory, parts: list[str],
                                               absolute: bool, key: str) -> None:  # fmt: skip
    import tomllib

    folder = tmp_path_factory.mktemp("cfg")
    given_path = str(Path("/", *parts)) if absolute else str(Path(*parts))
    value = f"json:{given_path}" if key == "output" else given_path
    config = folder / "settings.toml"
    # A TOML basic string with every character escaped: the test is about paths, not TOML quoting.
    quoted = '"' + "".join(f"\\U{ord(ch):08X}" for ch in value) + '"'
    config.write_text(f"{key} = [{quoted}]\n" if key == "output" else f"{key} = {quoted}\n", "utf-8")
    assert tomllib.loads(config.read_text("utf-8"))[key] in (value, [value])
    found = load_config(Path("/"), {}, config)
    expected = given_path if absolute else str(folder / given_path)
    if key == "output" and given_path == "-":
        assert found == {"outputs": ("json:-",)}  # standard output, not a file named "-"
    elif key == "output":
        assert found == {"outputs": (f"json:{expected}",)}
    else:
        assert found == {"baseline": expected}
