"""The stand-ins' own Pester tests (standins.Tests.ps1), run and read from pytest."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from hvbpa.lab.pwsh import PWSH_ARGS, standin_root
from hvbpa.lab.standin_host import describe
from hvbpa.snapshot.synthetic import host_snapshot

TESTS = Path(__file__).with_name("standins.Tests.ps1")
RUN = (
    "Import-Module Pester; $c = New-PesterConfiguration; $c.Run.Path = $env:HVBPA_PESTER_PATH; "
    "$c.Run.PassThru = $true; $c.Output.Verbosity = 'None'; $r = Invoke-Pester -Configuration $c; "
    "ConvertTo-Json -Compress -InputObject @{ passed = $r.PassedCount; failed = $r.FailedCount; "
    "failures = @($r.Failed | ForEach-Object { $_.ExpandedPath + ': ' + [string]$_.ErrorRecord }) }"
)


def test_pester(pwsh: Path, tmp_path: Path) -> None:
    described = tmp_path / "host.json"
    snapshot = host_snapshot("HV-PESTER", 3, mix=False)
    # One adapter with failover settings, the others without: both answers are tested.
    for vm in snapshot["vms"]:
        vm["network_adapters"][0]["failover"] = None
    snapshot["vms"][1]["network_adapters"][0]["failover"] = {
        "ipv4_address": "10.1.1.10",
        "ipv4_subnet_mask": "255.0.0.0",
    }
    described.write_text(json.dumps(describe(snapshot)), encoding="utf-8")
    env = {
        **os.environ,
        "HVBPA_STANDIN_HOST": str(described),
        "HVBPA_STANDIN_ROOT": str(standin_root()),
        "HVBPA_PESTER_PATH": str(TESTS),
    }
    done = subprocess.run(
        [str(pwsh), *PWSH_ARGS, "-Command", RUN], capture_output=True, env=env, check=False, timeout=180
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-800:]
    result = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
    assert result["failures"] == [] and result["failed"] == 0
    assert result["passed"] == 15
