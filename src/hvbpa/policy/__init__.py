"""Policy: what the user accepts and what fails the run.

Takes evaluated results and gives them back with exclusions and a baseline applied,
their fingerprints, the summary counts, and the exit code for ``--fail-on``.
"""

from hvbpa.policy.baseline import Baseline, apply_baseline, create_baseline, load_baseline, write_baseline
from hvbpa.policy.exclusions import Exclusion, apply_exclusions, load_exclusions, unmatched_exclusions
from hvbpa.policy.fingerprint import FINGERPRINT_KEY, finding_fingerprint, host_identities, host_identity
from hvbpa.policy.threshold import Summary, counts_as_failure, exit_code, run_is_incomplete, summarize

__all__ = [
    "FINGERPRINT_KEY",
    "Baseline",
    "Exclusion",
    "Summary",
    "apply_baseline",
    "apply_exclusions",
    "counts_as_failure",
    "create_baseline",
    "exit_code",
    "finding_fingerprint",
    "host_identities",
    "host_identity",
    "load_baseline",
    "load_exclusions",
    "run_is_incomplete",
    "summarize",
    "unmatched_exclusions",
    "write_baseline",
]
