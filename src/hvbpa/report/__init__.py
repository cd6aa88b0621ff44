"""Reports: a finished run written as table, JSON, SARIF, JUnit or CSV, and saved JSON
reports read back (``report merge``, ``baseline create``).

Formatters sit behind one interface in a name registry and are imported only when
their format is asked for.
"""

from hvbpa.report.formats import FORMATS, HostOrigin, ReportContext, formatter
from hvbpa.report.json_report import failed_run_document
from hvbpa.report.merge import load_reports
from hvbpa.report.outputs import OutputSpec, check_outputs, parse_output, write_failed_run, write_outputs
from hvbpa.report.saved import read_report
from hvbpa.report.status_line import status_line
from hvbpa.visible import visible

__all__ = [
    "FORMATS",
    "HostOrigin",
    "OutputSpec",
    "ReportContext",
    "check_outputs",
    "failed_run_document",
    "formatter",
    "load_reports",
    "parse_output",
    "read_report",
    "status_line",
    "visible",
    "write_failed_run",
    "write_outputs",
]
