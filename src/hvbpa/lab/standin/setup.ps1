# Makes this PowerShell session play the Hyper-V host a description describes.
# Dot-sourced by prelude.ps1 (one host per process: the lab, exact-process tests) and by
# runner.ps1 (many hosts in turn in one process: the test suite).

$script:hvsRoot = $PSScriptRoot
. (Join-Path $PSScriptRoot 'types.ps1')

function hvsUseHost($description) {
    $sep = [IO.Path]::PathSeparator
    if ($null -eq $global:HvbpaStandInBasePath) { $global:HvbpaStandInBasePath = $env:PSModulePath }
    # Get-CimInstance always; the Hyper-V module only where the host has it.
    $path = (Join-Path $script:hvsRoot 'cim') + $sep
    if ($description.module) { $path += (Join-Path $script:hvsRoot 'modules') + $sep }
    $env:PSModulePath = $path + $global:HvbpaStandInBasePath
    Remove-Module -Name Hyper-V, HvbpaCim -Force -ErrorAction SilentlyContinue
    $global:HvbpaStandIn = $description
    $global:HvbpaStandInCalls = @{}
    $global:HvbpaStandInSeconds = 0.0
    [Microsoft.HyperV.PowerShell.VMIntegrationComponent]::StatusQueries = 0
    # The identity seam of collect.ps1 (its "caller's roles" comment): who the caller is.
    $global:HvbpaCallerRoles = @{
        is_admin = [bool]$description.identity.is_admin
        is_hyperv_admin = [bool]$description.identity.is_hyperv_admin
    }
    Remove-Item -Path Function:\Get-Module -ErrorAction SilentlyContinue
    if ($null -ne $description.faults -and $null -ne $description.faults.module_list) {
        $global:HvbpaStandInModuleListFault = [string]$description.faults.module_list
        # Get-Module itself failing (a broken module path, a policy): not "module missing".
        function global:Get-Module {
            [CmdletBinding()]
            param([switch]$ListAvailable, [Parameter(Position = 0)][string[]]$Name)
            $ex = New-Object System.IO.IOException $global:HvbpaStandInModuleListFault
            $PSCmdlet.ThrowTerminatingError((New-Object Management.Automation.ErrorRecord $ex, 'Modules_ModuleListFailed', 'ReadError', $null))
        }
    }
}

function hvsCalls {
    $calls = @{}
    foreach ($k in $global:HvbpaStandInCalls.Keys) { $calls[$k] = $global:HvbpaStandInCalls[$k] }
    $q = [Microsoft.HyperV.PowerShell.VMIntegrationComponent]::StatusQueries
    if ($q -gt 0) { $calls['WMI query: integration service status getter'] = $q }
    return $calls
}
