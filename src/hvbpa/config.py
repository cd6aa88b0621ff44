"""Settings for scheduled and CI runs: ``hvbpa.toml``, ``[tool.hvbpa]`` or ``HVBPA_*``.

The file is the one named with ``hvbpa --config PATH`` (or ``HVBPA_CONFIG``), else
``hvbpa.toml`` in the working directory, else ``[tool.hvbpa]`` in its
``pyproject.toml``; keys are the long option names (``fail-on = "error"``). Environment
variables override the file, and the command line overrides both (the result is
click's ``default_map``). Every key is checked here, so a typo fails the run instead
of being silently ignored.

A password is never read from a file: a file gets committed, copied and backed up.
Turning TLS checks off is refused too: it must be visible on each command line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hvbpa.durations import parse_duration
from hvbpa.errors import ConfigError

CONFIG_FILE = "hvbpa.toml"
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)")
_SECRET = re.compile(r"pass(word|wd)?$|secret|token|credential", re.IGNORECASE)
_REFUSED = {
    "insecure-skip-tls-verify": "turning off certificate checks must be asked for on each command line",
    "allow-unencrypted": "allowing basic authentication over http must be asked for on each command line",
}


def read_toml(path: Path, what: str) -> tuple[dict[str, Any], str]:
    """The parsed document and its text; unreadable or invalid TOML is a ConfigError with the line."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.__class__.__name__})") from None
    try:
        return tomllib.loads(content), content
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        why = _TOML_POSITION.sub("", message)
        where = f"{path}:{found.group(1)}" if found else str(path)
        raise ConfigError(f"{where}: not valid TOML: {why}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    except ValueError as exc:  # int() past Python's 4,300-digit limit
        raise ConfigError(f"{path}: not valid TOML: {toml_value_error(content, exc)}") from None


def toml_value_error(content: str, exc: ValueError) -> str:
    """tomllib's own ValueError (not TOMLDecodeError): an integer too long for int(), with its line."""
    match = re.search(r"\d[\d_]{4300,}", content)
    if match is None:
        return " ".join(str(exc).split())[:120]
    return f"an integer has too many digits (line {content.count(chr(10), 0, match.start()) + 1})"


def key_line(lines: Sequence[str], key: str, start: int = 0, end: int | None = None) -> int:
    """1-based line of ``key = ...`` in ``lines[start:end]``, or 0 when it is not written that way."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    stop = len(lines) if end is None else min(end, len(lines))
    return next((n + 1 for n in range(start, stop) if pattern.match(lines[n])), 0)


# --- the settings ----------------------------------------------------------------------

Check = Callable[[object], object]


class _Invalid(ValueError):
    pass


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("expected a non-empty string")
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in value):
        # A path or name never holds one, and a NUL would fail deep inside the OS call.
        raise _Invalid(f"control character in {value!r}")
    return value.strip()


def _choice(*allowed: str) -> Check:
    def check(value: object) -> object:
        text = _text(value).lower()
        if text not in allowed:
            raise _Invalid(f"expected one of {', '.join(allowed)}, got {value!r}")
        return text

    return check


def _integer(low: int, high: int) -> Check:
    def check(value: object) -> object:
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) < 12:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _Invalid(f"expected a whole number from {low} to {high}, got {value!r}")
        return value

    return check


def _duration(default_unit: str) -> Check:
    def check(value: object) -> object:
        try:
            parse_duration(value, default_unit)
        except ValueError as exc:
            raise _Invalid(str(exc)) from None
        # click converts it again, with the option's own type, from default_map.
        return str(value).strip()

    return check


def _flag(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        return value.strip().lower() in ("1", "true", "yes", "on")
    raise _Invalid(f"expected true or false, got {value!r}")


def _many(value: object) -> object:
    """A list in a file; comma-separated in an environment variable."""
    items = [v.strip() for v in value.split(",")] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise _Invalid("expected a list of non-empty strings")
    for item in items:
        _text(item)
    return tuple(i.strip() for i in items)


@dataclass(frozen=True)
class Setting:
    key: str  # in the file, as the long option is spelled
    param: str  # the click parameter it feeds
    check: Check
    env: bool = True  # also read from HVBPA_<KEY>

    @property
    def env_name(self) -> str:
        return "HVBPA_" + self.key.upper().replace("-", "_")


SETTINGS = (
    Setting("output", "outputs", _many),
    Setting("rules-dir", "rules_dirs", _many),
    Setting("rule", "only_rules", _many),
    Setting("skip-rule", "skip_rules", _many),
    Setting("grace-period", "grace_period", _duration("m")),
    Setting("business-hours", "business_hours", _text),
    Setting("lag-floor", "lag_floor", _duration("m")),
    Setting("lag-factor", "lag_factor", _integer(1, 1000)),
    Setting("certificate-warning-days", "certificate_warning_days", _integer(0, 3650)),
    Setting("fail-on", "fail_on", _choice("error", "warning", "information", "never")),
    Setting("exit-zero", "exit_zero", _flag),
    Setting("lang", "lang", _choice("en", "ko")),
    Setting("show-excluded", "show_excluded", _flag),
    Setting("exclusions", "exclusions", _text),
    Setting("baseline", "baseline", _text),
    Setting("jobs", "jobs", _integer(1, 512)),
    Setting("quiet", "quiet", _flag),
    Setting("timeout", "timeout", _duration("s")),
    Setting("connect-timeout", "connect_timeout", _duration("s")),
    Setting("operation-timeout", "operation_timeout", _duration("s")),
    Setting("retries", "retries", _integer(0, 10)),
    Setting("transport", "transport", _choice("ntlm", "kerberos", "credssp", "certificate", "basic")),
    Setting("scheme", "scheme", _choice("http", "https")),
    Setting("port", "port", _integer(1, 65535)),
    # click already reads HVBPA_USERNAME for --username.
    Setting("username", "username", _text, env=False),
    Setting("ca-trust-path", "ca_trust_path", _text),
    Setting("cert-pem", "cert_pem", _text),
    Setting("cert-key-pem", "cert_key_pem", _text),
)
_BY_KEY = {s.key: s for s in SETTINGS}


# Settings that name files: in a file given with --config, relative to that file's folder.
_PATH_KEYS = frozenset({"rules-dir", "exclusions", "baseline", "ca-trust-path", "cert-pem", "cert-key-pem"})


def _rebased(key: str, value: object, folder: Path) -> object:
    """A relative path of a --config file made absolute from the file's folder (``output`` keeps its FORMAT:)."""

    def rebase(text: str) -> str:
        return text if Path(text).is_absolute() else str(folder / text)

    if key == "output":
        out = []
        for item in value if isinstance(value, tuple) else (value,):
            name, colon, where = str(item).partition(":")
            out.append(f"{name}:{rebase(where)}" if colon and where and where != "-" else str(item))
        return tuple(out)
    if key in _PATH_KEYS:
        return tuple(rebase(v) for v in value) if isinstance(value, tuple) else rebase(str(value))
    return value


def _from_file(
    path: Path, table: Mapping[str, Any], lines: Sequence[str], start: int, folder: Path | None = None
) -> dict[str, object]:
    """``folder``: where relative paths start (a --config file's folder); None leaves them to the working folder."""
    found: dict[str, object] = {}
    for raw_key, value in table.items():
        line = key_line(lines, raw_key, start)
        where = f"{path}:{line}" if line else str(path)
        key = raw_key.lower().replace("_", "-")
        if _SECRET.search(key):
            raise ConfigError(
                f"{where}: {raw_key!r} is not allowed: passwords never go in a file; "
                "use HVBPA_PASSWORD, the OS keyring or the prompt"
            )
        if key in _REFUSED:
            raise ConfigError(f"{where}: {raw_key!r} is not allowed in a file: {_REFUSED[key]}")
        setting = _BY_KEY.get(key)
        if setting is None:
            raise ConfigError(f"{where}: unknown key {raw_key!r} (known: {', '.join(sorted(_BY_KEY))})")
        try:
            checked = setting.check(value)
        except _Invalid as exc:
            raise ConfigError(f"{where}: {raw_key}: {exc}") from None
        found[setting.param] = checked if folder is None else _rebased(key, checked, folder)
    return found


def config_file(cwd: Path) -> tuple[Path, Mapping[str, Any], list[str], int] | None:
    """Where the settings are: the file, its table, its lines, and the line the table starts on."""
    own = cwd / CONFIG_FILE
    if own.is_file():
        data, content = read_toml(own, "configuration file")
        return own, data, content.splitlines(), 0
    pyproject = cwd / "pyproject.toml"
    if not pyproject.is_file():
        return None
    data, content = read_toml(pyproject, "pyproject.toml")
    table = data.get("tool", {}).get("hvbpa") if isinstance(data.get("tool"), dict) else None
    if table is None:
        return None
    lines = content.splitlines()
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.hvbpa] must be a table")
    header = next((n for n, text in enumerate(lines) if re.match(r"^\s*\[\s*tool\s*\.\s*hvbpa\s*\]", text)), 0)
    return pyproject, table, lines, header


def named_config_file(path: Path) -> tuple[Path, Mapping[str, Any], list[str], int]:
    """The settings of a file named with ``--config``: an hvbpa.toml by any name, or a pyproject.toml's [tool.hvbpa]."""
    data, content = read_toml(path, "configuration file")
    lines = content.splitlines()
    if path.name != "pyproject.toml":
        return path, data, lines, 0
    tool = data.get("tool")
    table = tool.get("hvbpa") if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: no [tool.hvbpa] table")
    header = next((n for n, text in enumerate(lines) if re.match(r"^\s*\[\s*tool\s*\.\s*hvbpa\s*\]", text)), 0)
    return path, table, lines, header


def load_config(cwd: Path, environ: Mapping[str, str], path: Path | None = None) -> dict[str, object]:
    """Option name -> value, for click's ``default_map``: the file, then HVBPA_* over it.

    ``path``: the file named with ``--config`` (a scheduled task does not start in the
    project's folder), used instead of the working folder's; its relative paths start
    from its own folder.
    """
    found: dict[str, object] = {}
    if path is not None:
        found.update(_from_file(*named_config_file(path), folder=(cwd / path).parent))
    else:
        located = config_file(cwd)
        if located is not None:
            found.update(_from_file(*located))
    for setting in SETTINGS:
        raw = environ.get(setting.env_name, "") if setting.env else ""
        if not raw.strip():
            continue  # an empty variable is how CI templates say "unset"
        try:
            found[setting.param] = setting.check(raw)
        except _Invalid as exc:
            raise ConfigError(f"environment variable {setting.env_name}: {exc}") from None
    return found
