"""Scan targets: hosts named on the command line, in a hosts file, or in an Ansible inventory."""

from hvbpa.targets.ansible import read_inventory
from hvbpa.targets.hosts_file import read_hosts_file
from hvbpa.targets.model import Origin, Target, TargetError, check_labels, dedupe, parse_target

__all__ = [
    "Origin",
    "Target",
    "TargetError",
    "check_labels",
    "dedupe",
    "parse_target",
    "read_hosts_file",
    "read_inventory",
]
