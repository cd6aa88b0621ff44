"""Rules are data: one TOML file each, validated when loaded.

The logic lives in a registered check function (``hvbpa.evaluate.checks``); the file names it.
A rule's file also holds the English and Korean text of the reasons its check gives
(``[reasons.CODE]``), so a rule is its file, its check and its cases. Loading a rule
registers those texts with :mod:`hvbpa.i18n`. ``bpa_rule`` names the rule of Microsoft's
BPA discovery script (``Hyper-V.ps1``) that the rule decides as; hvbpa's own rules have none.
Shipped rules come from the package's ``rules`` folder (the repository's top-level
``rules/``); ``--rules-dir`` adds a user's.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from hvbpa import i18n
from hvbpa.config import toml_value_error
from hvbpa.errors import ConfigError
from hvbpa.evaluate.checks import CHECKS
from hvbpa.evaluate.results import Scope, Severity

LANGUAGES = ("en", "ko")
_ID = re.compile(r"^[A-Z]{2,8}[0-9]{3,4}$")
_TOP_KEYS = {
    "id", "slug", "title", "severity", "category", "model", "help_url", "check", "applies_to", "judged_per", "text",
    "reasons", "bpa_rule", "bpa_rule_id",
}  # fmt: skip
_REQUIRED = _TOP_KEYS - {"applies_to", "judged_per", "reasons", "bpa_rule", "bpa_rule_id"}
_REASON_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TEXT_KEYS = {"title", "problem", "impact", "resolution"}
# Microsoft's rule pages say "Operations"; "operation" stays accepted for rule files written before.
CATEGORIES = ("configuration", "operation", "operations", "security", "performance", "prerequisites")


@dataclass(frozen=True)
class RuleText:
    title: str
    problem: str
    impact: str
    resolution: str


@dataclass(frozen=True)
class Rule:
    id: str
    slug: str
    title: str  # the BPA title, in English, as Microsoft's console shows it
    severity: Severity
    category: str
    model: str
    help_url: str
    check: str
    texts: tuple[tuple[str, RuleText], ...]
    applies_to: str = ""
    path: str = ""
    scope: Scope = Scope.VM  # judged_per: "vm" (a verdict per VM) or "host" (a verdict on the host)
    # The BPA discovery script's rule number (226-245) and, where known, Get-BpaResult's RuleId; 0/"": hvbpa's own.
    bpa_rule: int = 0
    bpa_rule_id: str = ""
    reasons: tuple[tuple[str, tuple[str, str]], ...] = ()  # code -> (English, Korean)

    @property
    def from_bpa(self) -> bool:
        return self.bpa_rule > 0

    def text(self, lang: str) -> RuleText:
        found = dict(self.texts)
        return found.get(lang) or found["en"]


def shipped_rules_dir() -> Path:
    """The rules inside the installed package, or the repository's ``rules/`` in a source checkout."""
    packaged = Path(str(resources.files("hvbpa").joinpath("rules")))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "rules"


def _key_problem(table: Iterable[str], allowed: set[str], required: set[str]) -> str:
    """The first unknown key of a TOML table, else its first missing one ("" when neither): for a rule and its texts."""
    keys = set(table)
    unknown = sorted(keys - allowed)
    if unknown:
        return f"unknown key {unknown[0]!r}"
    missing = sorted(required - keys)
    return f"missing key {missing[0]!r}" if missing else ""


def load_rule(path: Path) -> Rule:
    def fail(why: str) -> ConfigError:
        return ConfigError(f"{path}: {why}")

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise fail(f"not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read ({exc.__class__.__name__})") from None
    except RecursionError:
        raise fail("not valid TOML (nested too deeply)") from None
    except ValueError as exc:  # int() past Python's digit limit: not a TOMLDecodeError
        raise fail(f"not valid TOML ({toml_value_error(path.read_text(encoding='utf-8-sig'), exc)})") from None
    wrong = _key_problem(data, _TOP_KEYS, _REQUIRED)
    if wrong:
        raise fail(wrong)
    for key in _TOP_KEYS - {"text", "reasons", "bpa_rule"}:
        if key in data and not (isinstance(data[key], str) and data[key].strip()):
            raise fail(f"{key!r} must be a non-empty string")
    if not _ID.match(data["id"]):
        raise fail(f"id {data['id']!r} must look like HVR001 (capitals then 3-4 digits)")
    try:
        severity = Severity(data["severity"].lower())
    except ValueError:
        raise fail(f"severity {data['severity']!r} must be one of error, warning, information") from None
    category = data["category"].lower()
    if category not in CATEGORIES:
        raise fail(f"category {data['category']!r} must be one of {', '.join(CATEGORIES)}")
    try:
        scope = Scope(data.get("judged_per", "vm"))
    except ValueError:
        raise fail(f"judged_per {data['judged_per']!r} must be vm or host") from None
    if data["check"] not in CHECKS:
        raise fail(f"unknown check {data['check']!r} (known: {', '.join(sorted(CHECKS))})")
    if not data["help_url"].startswith("https://"):
        raise fail("help_url must be an https:// address")
    bpa_rule = data.get("bpa_rule", 0)
    if isinstance(bpa_rule, bool) or not isinstance(bpa_rule, int) or not (bpa_rule == 0 or 200 <= bpa_rule <= 399):
        raise fail(f"bpa_rule {bpa_rule!r} must be the BPA script's rule number (an integer such as 230)")
    reasons = _reasons(data.get("reasons", {}), fail)
    texts = data["text"]
    if not isinstance(texts, dict) or "en" not in texts:
        raise fail("[text.en] is required")
    parsed: list[tuple[str, RuleText]] = []
    for lang, body in texts.items():
        if lang not in LANGUAGES:
            raise fail(f"[text.{lang}]: unknown language (known: {', '.join(LANGUAGES)})")
        if not isinstance(body, dict):
            raise fail(f"[text.{lang}] must be a table")
        wrong = _key_problem(body, _TEXT_KEYS, _TEXT_KEYS)
        if wrong:
            raise fail(f"[text.{lang}]: {wrong}")
        if not all(isinstance(v, str) and v.strip() for v in body.values()):
            raise fail(f"[text.{lang}]: every text must be a non-empty string")
        parsed.append((lang, RuleText(**{k: " ".join(body[k].split()) for k in _TEXT_KEYS})))
    return Rule(
        id=data["id"],
        slug=data["slug"],
        title=data["title"],
        severity=severity,
        category=category,
        model=data["model"],
        help_url=data["help_url"],
        check=data["check"],
        texts=tuple(sorted(parsed)),
        applies_to=data.get("applies_to", ""),
        path=str(path),
        scope=scope,
        bpa_rule=bpa_rule,
        bpa_rule_id=data.get("bpa_rule_id", ""),
        reasons=reasons,
    )


def _reasons(table: object, fail: Callable[[str], ConfigError]) -> tuple[tuple[str, tuple[str, str]], ...]:
    """``[reasons.CODE]`` tables: ``en`` required, ``ko`` beside it (English stands in where it is absent)."""
    if not isinstance(table, dict):
        raise fail("[reasons] must be a table of reason codes")
    found: list[tuple[str, tuple[str, str]]] = []
    for code, body in table.items():
        if not _REASON_CODE.match(code):
            raise fail(f"[reasons.{code}]: a reason code is lower-case words joined by '-'")
        if not isinstance(body, dict):
            raise fail(f"[reasons.{code}] must be a table with en and ko")
        wrong = _key_problem(body, set(LANGUAGES), {"en"})
        if wrong:
            raise fail(f"[reasons.{code}]: {wrong}")
        if not all(isinstance(v, str) and v.strip() for v in body.values()):
            raise fail(f"[reasons.{code}]: every text must be a non-empty string")
        english = " ".join(body["en"].split())
        found.append((code, (english, " ".join(body.get("ko", english).split()))))
    return tuple(sorted(found))


def load_rules(extra_dirs: Sequence[Path] = (), *, include_shipped: bool = True) -> tuple[Rule, ...]:
    dirs = ([shipped_rules_dir()] if include_shipped else []) + list(extra_dirs)
    rules: dict[str, Rule] = {}
    for folder in dirs:
        if not folder.is_dir():
            raise ConfigError(f"{folder}: rules directory not found")
        for path in sorted(folder.glob("*.toml")):
            rule = load_rule(path)
            if rule.id in rules:
                raise ConfigError(f"{path}: duplicate rule id {rule.id} (also in {rules[rule.id].path})")
            rules[rule.id] = rule
            clash = i18n.register_reasons(dict(rule.reasons))
            if clash:
                raise ConfigError(f"{path}: reason {clash!r} is already defined with other words")
    return tuple(sorted(rules.values(), key=lambda r: r.id))


def select_rules(rules: Iterable[Rule], only: Sequence[str] = (), skip: Sequence[str] = ()) -> tuple[Rule, ...]:
    rules = tuple(rules)
    known = {r.id for r in rules}
    for wanted in (*only, *skip):
        if wanted.upper() not in known:
            raise ConfigError(f"unknown rule id {wanted!r} (known: {', '.join(sorted(known))})")
    only_set = {r.upper() for r in only}
    skip_set = {r.upper() for r in skip}
    return tuple(r for r in rules if (not only_set or r.id in only_set) and r.id not in skip_set)
