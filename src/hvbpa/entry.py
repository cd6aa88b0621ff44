"""The console script. ``hvbpa --version`` answers without importing click: it is
what scripts and monitoring call most often, and start-up time is its whole cost."""

from __future__ import annotations

import sys


def run() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from hvbpa import __version__

        sys.stdout.write(f"hvbpa, version {__version__}\n")
        return
    from hvbpa.cli import main

    main()
