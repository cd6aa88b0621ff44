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
    # NetQos only where the description lists QoS policies (a list, maybe empty): null is a host
    # without the module, the one way the script reports null for them.
    $qos = $description.PSObject.Properties['qos_policies']
    if ($null -ne $qos -and $null -ne $qos.Value) { $path += (Join-Path $script:hvsRoot 'netqos') + $sep }
    $env:PSModulePath = $path + $global:HvbpaStandInBasePath
    Remove-Module -Name Hyper-V, HvbpaCim, NetQos -Force -ErrorAction SilentlyContinue
    hvsCheckPossible $description
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
        if ($null -eq $s) { return }
        $thumb = ([string]$target[0]).Substring($prefix.Length)
        # The Replica server's own certificate, or (on a cluster node) the broker's.
        foreach ($key in @('certificate', 'broker_certificate')) {
            $p = $s.PSObject.Properties[$key]
            if ($null -eq $p -or $null -eq $p.Value -or -not $p.Value.found) { continue }
            if ([string]$p.Value.thumbprint -ne $thumb) { continue }
            return hvsCertificate $p.Value
        }
    }
    # X509Chain for the script's chain check ($HvbpaNewChain, its seam): a chain that answers with
    # the statuses the description implies, and refuses any revocation mode but Offline.
    $global:HvbpaNewChain = {
        param($cert)
        $play = $cert.PSObject.Properties['HvbpaStandInChain']
        if ($null -eq $play) { return }
        $chain = New-Object PSObject -Property ([ordered]@{
            ChainPolicy = (New-Object PSObject -Property ([ordered]@{ RevocationMode = 'Online' }))
            ChainStatus = @()
            HvbpaStatuses = @($play.Value)
        })
        Add-Member -InputObject $chain -MemberType ScriptMethod -Name Build -Value {
            param($c)
            if ([string]$this.ChainPolicy.RevocationMode -ne 'Offline') { throw "stand-in X509Chain: revocation mode $($this.ChainPolicy.RevocationMode), not Offline" }
            $this.ChainStatus = @($this.HvbpaStatuses | ForEach-Object { New-Object PSObject -Property @{ Status = $_ } })
            return ($this.ChainStatus.Count -eq 0)
        }
        return $chain
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

# A certificate store entry from a description's certificate (snapshot shape). Fields the
# description lacks are left out, as an older PowerShell's certificate provider would.
function global:hvsCertificate($c) {
    $notAfter = $c.not_after
    if ($null -ne $notAfter -and $notAfter -isnot [DateTime]) {
        $notAfter = ([DateTimeOffset]::Parse([string]$notAfter, [Globalization.CultureInfo]::InvariantCulture)).UtcDateTime
    } elseif ($null -ne $notAfter) { $notAfter = $notAfter.ToUniversalTime() }
    $o = New-Object PSObject -Property ([ordered]@{
        Thumbprint = [string]$c.thumbprint
        Subject = $c.subject
        NotAfter = $notAfter
        HasPrivateKey = $c.has_private_key
    })
    # The type name (inserted last) brings PowerShell's own DnsNameList and EnhancedKeyUsageList
    # (type data of X509Certificate2), which would read nothing from this object. Instance
    # members added before it take their place: the description's values, or null where it has
    # none (what the script takes as "not read").
    $names = $c.PSObject.Properties['dns_names']
    $list = $null
    if ($null -ne $names -and $null -ne $names.Value) {
        # The provider's DnsNameList: DnsNameRepresentation objects (Punycode, Unicode).
        $list = @(@($names.Value) | ForEach-Object { New-Object PSObject -Property ([ordered]@{ Punycode = [string]$_; Unicode = [string]$_ }) })
    }
    Add-Member -InputObject $o -MemberType NoteProperty -Name DnsNameList -Value $list -Force
    $ekus = $c.PSObject.Properties['enhanced_key_usages']
    $list = $null
    if ($null -ne $ekus -and $null -ne $ekus.Value) {
        $list = @(@($ekus.Value) | ForEach-Object { New-Object PSObject -Property ([ordered]@{ FriendlyName = $null; ObjectId = [string]$_ }) })
    }
    Add-Member -InputObject $o -MemberType NoteProperty -Name EnhancedKeyUsageList -Value $list -Force
    $o.PSObject.TypeNames.Insert(0, 'System.Security.Cryptography.X509Certificates.X509Certificate2')
    $valid = $c.PSObject.Properties['chain_valid']
    if ($null -ne $valid -and $null -ne $valid.Value) {
        # What an offline check reports for a good chain whose CRLs are not cached, or a bad one.
        $statuses = @('RevocationStatusUnknown', 'OfflineRevocation')
        if (-not $valid.Value) { $statuses = @('UntrustedRoot', 'RevocationStatusUnknown') }
        Add-Member -InputObject $o -MemberType NoteProperty -Name HvbpaStandInChain -Value $statuses
    }
    return $o
}

# States no host can be in are refused, not played: "replication allowed from any server" is
# itself the authorization entry "*", so the flag and that entry come and go together.
function hvsCheckPossible($description) {
    $p = $description.PSObject.Properties['replication_server']
    if ($null -eq $p -or $null -eq $p.Value) { return }
    $s = $p.Value
    $any = $s.PSObject.Properties['allowed_from_any_server']
    $entries = $s.PSObject.Properties['authorization_entries']
    if ($null -eq $any -or $null -eq $any.Value -or $null -eq $entries -or $null -eq $entries.Value) { return }
    $star = @(@($entries.Value) | Where-Object { $null -ne $_ -and [string]$_.allowed_primary_server -eq '*' }).Count -gt 0
    if ([bool]$any.Value -ne $star) {
        throw "impossible host description: allowed_from_any_server is $($any.Value) but an authorization entry '*' is $(if ($star) { 'listed' } else { 'missing' })"
    }
}
