"""Worker process of a lab fleet: ``python -m hvbpa.lab.worker``.

Reads one JSON line (hosts, reference script, TLS files) from stdin, starts
the hosts, prints ``{"ready": {name: port}}``, then serves until stdin closes.
"""

from __future__ import annotations

import json
import signal
import sys

from hvbpa.lab.processes import host_from_json, tls_from_json
from hvbpa.lab.server import LOOPBACK, LabHost, stop_all


def main() -> int:
    line = sys.stdin.buffer.readline()
    if not line:
        return 0
    spec = json.loads(line)
    tls = tls_from_json(spec.get("tls"))
    labs: list[LabHost] = []
    # A Ctrl-C in the terminal reaches the whole process group; the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for data in spec["hosts"]:
            lab = LabHost(
                host_from_json(data),
                tls=tls,
                reference_script=spec.get("reference_script"),
                bind=spec.get("bind", LOOPBACK),
            )
            labs.append(lab.start())
        sys.stdout.write(json.dumps({"ready": {lab.name: lab.port for lab in labs}}) + "\n")
        sys.stdout.flush()
        # Blocks until the parent closes the pipe, or dies.
        while sys.stdin.buffer.readline():
            pass
    finally:
        stop_all(labs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
