"""Evaluation: rules (TOML data naming check functions) applied to host outcomes.

Takes rules, outcomes and "now" and gives a :class:`Run` of per-rule, per-host
results with a verdict for every VM. Pure: no I/O, no clock.
"""

from hvbpa.evaluate.engine import analyze
from hvbpa.evaluate.options import EvaluationOptions
from hvbpa.evaluate.results import HostVerdict, RuleFailure, RuleResult, Run, Scope, Severity, Status, VMVerdict
from hvbpa.evaluate.ruleset import Rule, load_rules, select_rules

__all__ = [
    "EvaluationOptions",
    "HostVerdict",
    "Rule",
    "RuleFailure",
    "RuleResult",
    "Run",
    "Scope",
    "Severity",
    "Status",
    "VMVerdict",
    "analyze",
    "load_rules",
    "select_rules",
]
