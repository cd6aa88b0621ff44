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
    # The one Get-Item collect.ps1 makes reads the certificate store (Cert:\LocalMachine\My\<thumbprint>),
    # which a stand-in session has not: a global function shadows the cmdlet and answers it from
    # the description; any other path goes to the real cmdlet.
    function global:Get-Item {
        [CmdletBinding()]
        param([Parameter(Position = 0)][string[]]$Path, [string[]]$LiteralPath)
        $target = @(@($LiteralPath) + @($Path) | Where-Object { $_ })
        $prefix = 'Cert:\LocalMachine\My\'
        if ($target.Count -eq 0 -or -not ([string]$target[0]).StartsWith($prefix, [StringComparison]::OrdinalIgnoreCase)) {
            return Microsoft.PowerShell.Management\Get-Item @PSBoundParameters
        }
        $calls = $global:HvbpaStandInCalls
        if ($null -ne $calls) { $calls['Get-Item Cert:'] = 1 + [int]$calls['Get-Item Cert:'] }
        $h = $global:HvbpaStandIn
        # StrictMode is on in the script: properties are looked up, not assumed.
        $denied = $null
        if ($null -ne $h.PSObject.Properties['faults'] -and $null -ne $h.faults -and $null -ne $h.faults.PSObject.Properties['denied']) {
            $table = $h.faults.denied
            if ($null -ne $table -and $null -ne $table.PSObject.Properties['Cert:']) { $denied = $table.'Cert:' }
        }
        if ($null -ne $denied) {
            $ex = New-Object System.UnauthorizedAccessException ([string]$denied)
            $PSCmdlet.ThrowTerminatingError((New-Object Management.Automation.ErrorRecord $ex, 'CertificateStoreDenied', 'PermissionDenied', $target[0]))
        }
        $s = $null
        if ($null -ne $h.PSObject.Properties['replication_server']) { $s = $h.replication_server }
        if ($null -eq $s -or $null -eq $s.certificate -or -not $s.certificate.found) { return }
        if ([string]$s.certificate.thumbprint -ne ([string]$target[0]).Substring($prefix.Length)) { return }
        $notAfter = $s.certificate.not_after
        if ($null -ne $notAfter -and $notAfter -isnot [DateTime]) {
            $notAfter = ([DateTimeOffset]::Parse([string]$notAfter, [Globalization.CultureInfo]::InvariantCulture)).UtcDateTime
        } elseif ($null -ne $notAfter) { $notAfter = $notAfter.ToUniversalTime() }
        $o = New-Object PSObject -Property ([ordered]@{
            Thumbprint = [string]$s.certificate.thumbprint
            Subject = $s.certificate.subject
            NotAfter = $notAfter
            HasPrivateKey = $s.certificate.has_private_key
        })
        $o.PSObject.TypeNames.Insert(0, 'System.Security.Cryptography.X509Certificates.X509Certificate2')
        $o
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
