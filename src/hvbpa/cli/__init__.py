"""The command line: parse options, build objects, run the pipeline, return an exit code.

Only this package imports click, and only from ``hvbpa.cli.main`` down: ``entry``
answers ``--version`` and ``--help`` without it.
"""

from hvbpa.cli.entry import run

__all__ = ["run"]
