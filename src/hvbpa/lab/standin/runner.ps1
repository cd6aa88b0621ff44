# Runs many hvbpa deliveries in one PowerShell process, one host description each, so the
# test suite pays PowerShell's start-up once. Input: a JSON file of jobs
# [{ "description": {...}, "encoded_command": "<what follows -EncodedCommand>", "stdin": "..." }];
# output: a JSON file of results [{ "stdout", "error", "calls", "seconds" }].
param([Parameter(Mandatory = $true)][string]$Jobs, [Parameter(Mandatory = $true)][string]$Results)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'setup.ps1')
$all = [IO.File]::ReadAllText($Jobs) | ConvertFrom-Json
$out = New-Object 'Collections.Generic.List[object]'
$console = [Console]::Out
foreach ($job in @($all)) {
    # A description no host could match is that job's error, not the end of the run.
    $refused = $null
    try { hvsUseHost $job.description } catch { $refused = [string]$_ }
    if ($null -ne $refused) {
        [void]$out.Add([ordered]@{ stdout = ''; error = $refused; calls = @{}; seconds = 0.0; standin_seconds = 0.0 })
        continue
    }
    # -EncodedCommand: base64 of UTF-16LE, run as a script block, exactly as powershell.exe does.
    $bootstrap = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($job.encoded_command))
    $stdout = New-Object IO.StringWriter
    $stdin = ''
    if ($null -ne $job.stdin) { $stdin = [string]$job.stdin }
    [Console]::SetIn((New-Object IO.StringReader $stdin))
    [Console]::SetOut($stdout)
    $failure = $null
    $piped = ''
    $clock = [Diagnostics.Stopwatch]::StartNew()
    # What the bootstrap writes to the pipeline reaches powershell.exe's stdout as text.
    try { $piped = (& ([scriptblock]::Create($bootstrap)) | Out-String) }
    catch { $failure = [string]$_ }
    finally { [Console]::SetOut($console) }
    $clock.Stop()
    [void]$out.Add([ordered]@{
        stdout = $stdout.ToString() + $piped
        error = $failure
        calls = (hvsCalls)
        seconds = $clock.Elapsed.TotalSeconds
        standin_seconds = $global:HvbpaStandInSeconds
    })
}
[IO.File]::WriteAllText($Results, (ConvertTo-Json -InputObject $out.ToArray() -Depth 5 -Compress))
