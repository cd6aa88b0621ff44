# Helpers shared by the stand-in modules (dot-sourced into each module's scope).
#
# The host description is $global:HvbpaStandIn (see prelude.ps1 and hvbpa/lab/standin_host.py);
# every call is counted in $global:HvbpaStandInCalls. Nothing here uses try/catch: the
# collection script calls the stand-ins with -ErrorVariable, which would also collect an
# exception caught inside the callee and report it as a spurious collection error.

. (Join-Path $PSScriptRoot 'types.ps1')

function hvsHost { return $global:HvbpaStandIn }

function hvsCount([string]$what) {
    $calls = $global:HvbpaStandInCalls
    if ($null -ne $calls) { $calls[$what] = 1 + [int]$calls[$what] }
    return [Diagnostics.Stopwatch]::StartNew()
}

# Time spent answering inside the stand-ins, so a benchmark can tell it from the script's own.
function hvsSpent($clock) {
    if ($null -ne $clock) { $global:HvbpaStandInSeconds += $clock.Elapsed.TotalSeconds }
}

function hvsFault([string]$kind, [string]$key) {
    $h = hvsHost
    if ($null -eq $h -or $null -eq $h.faults) { return $null }
    $table = $h.faults.$kind
    if ($null -eq $table) { return $null }
    return $table.$key
}

function hvsRecord([string]$message, [string]$errorId, [string]$category, $target, [string]$exceptionType) {
    if (-not $exceptionType) { $exceptionType = 'System.Exception' }
    $ex = New-Object $exceptionType $message
    return New-Object Management.Automation.ErrorRecord $ex, $errorId, $category, $target
}

# A compiled cmdlet honours the CALLER's $ErrorActionPreference; a script module's function
# would see only the global one. Read the caller's, as Get-Cimstance and Get-VM do.
function hvsFail($cmdlet, $record) {
    $ea = $cmdlet.MyInvocation.BoundParameters['ErrorAction']
    if ($null -eq $ea) { $ea = $cmdlet.SessionState.PSVariable.GetValue('ErrorActionPreference') }
    if ([string]$ea -eq 'Stop') { $cmdlet.ThrowTerminatingError($record) }
    $cmdlet.WriteError($record)
}

# Output on every other stream, for the test that stdout carries the answer alone.
function hvsNoise([string]$from) {
    $h = hvsHost
    if ($null -eq $h -or $null -eq $h.faults -or -not $h.faults.noise) { return }
    Write-Warning "stand-in warning from $from"
    Write-Verbose "stand-in verbose from $from" -Verbose
    Write-Information "stand-in information from $from" -InformationAction Continue
    Write-Host "stand-in host text from $from"
    Write-Progress -Activity "stand-in $from" -Status 'working' -PercentComplete 50
    Write-Debug "stand-in debug from $from"
}
