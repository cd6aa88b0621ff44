"""Collection: one read-only PowerShell script per host over WinRM, many hosts at once.

Takes targets and connection settings and gives one :class:`HostOutcome` per host: its
parsed snapshot, or its failure as a value. Only ``wsman`` imports pywinrm, lazily.
"""

from hvbpa.collect.delivery import decode_answer
from hvbpa.collect.fleet import Interrupted, ScanObserver, scan_hosts
from hvbpa.collect.host import collect_host, settings_for
from hvbpa.collect.saved import load_snapshot_file
from hvbpa.collect.script import collection_script
from hvbpa.collect.settings import ConnectionSettings, Secret

__all__ = [
    "ConnectionSettings",
    "Interrupted",
    "ScanObserver",
    "Secret",
    "collect_host",
    "collection_script",
    "decode_answer",
    "load_snapshot_file",
    "scan_hosts",
    "settings_for",
]
