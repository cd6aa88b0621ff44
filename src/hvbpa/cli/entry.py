"""The console script. ``hvbpa --version`` and ``hvbpa --help`` answer without
importing click: they are the calls people and scripts make most, and start-up time
is their whole cost."""

from __future__ import annotations

import sys


def run() -> None:
    from hvbpa.console import utf8_streams

    utf8_streams()
    if sys.argv[1:] in (["--version"], ["-V"]):
        from hvbpa import __version__

        sys.stdout.write(f"hvbpa, version {__version__}\n")
        return
    if sys.argv[1:] in (["--help"], ["-h"]):
        from hvbpa.cli.index import top_level_help

        sys.stdout.write(top_level_help())
        return
    from hvbpa.signals import install

    install()
    from hvbpa.cli.main import main

    main()
