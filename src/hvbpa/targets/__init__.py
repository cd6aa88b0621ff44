"""Scan targets: hosts named on the command line, in a hosts file, or in an Ansible inventory."""

from hvbpa.targets.ansible import read_inventory
from hvbpa.targets.hosts_file import read_hosts_file
from hvbpa.targets.model import Origin, Target, TargetError, check_labels, dedupe, parse_target
from hvbpa.targets.words import quote_word, split_words

__all__ = [
    "Origin",
    "Target",
    "TargetError",
    "check_labels",
    "dedupe",
    "parse_target",
    "quote_word",
    "read_hosts_file",
    "read_inventory",
    "split_words",
]
