# Stand-in for Microsoft's Hyper-V module: the five Get- cmdlets collect.ps1 calls, answering
# from the host description in $global:HvbpaStandIn with objects shaped like the real ones
# (enum-typed states, GUID ids, TimeSpan uptimes, Microsoft:<VMId>\<GUID> service ids,
# properties that older hosts lack left out). Faults come only from the description.
. (Join-Path $PSScriptRoot '../../common.ps1')
. (Join-Path $PSScriptRoot 'replication.ps1')   # the Hyper-V Replica cmdlets (issue 14)

$script:builtFor = $null
$script:vms = @()          # VirtualMachine stand-ins, in description order
$script:byId = @{}         # VMId string -> description of the VM

function hvsVmObjects {
    $h = hvsHost
    if ([object]::ReferenceEquals($h, $script:builtFor)) { return }
    $list = New-Object 'Collections.Generic.List[object]'
    $script:byId = @{}
    foreach ($d in @($h.vms)) {
        $p = [ordered]@{
            Name = [string]$d.name
            Id = [guid]$d.id
            VMId = [guid]$d.id
            VMName = [string]$d.name
            ComputerName = [string]$h.computer.DNSHostName
            State = [Microsoft.HyperV.PowerShell.VMState][int]$d.state
        }
        if ($null -ne $d.uptime_seconds) { $p.Uptime = [TimeSpan]::FromSeconds([double]$d.uptime_seconds) }
        $p.Heartbeat = $null   # null whenever the VM is off
        if ($null -ne $d.heartbeat) { $p.Heartbeat = [Microsoft.HyperV.PowerShell.VMHeartbeatStatus][int]$d.heartbeat }
        if ($null -ne $d.generation) { $p.Generation = [int]$d.generation }
        if (-not $h.old_host) {
            # Windows Server 2012 R2's module has neither property.
            $p.Version = [string]$d.version
            if ($null -ne $d.type) { $p.VirtualMachineType = [Microsoft.HyperV.PowerShell.VirtualMachineType][int]$d.type }
        }
        if ($null -ne $d.is_clustered) { $p.IsClustered = [bool]$d.is_clustered }
        $p.ReplicationMode = [Microsoft.HyperV.PowerShell.VMReplicationMode][int]$d.replication.mode
        $p.ReplicationState = [Microsoft.HyperV.PowerShell.VMReplicationState][int]$d.replication.state
        if ($null -ne $d.replication.health) {
            $p.ReplicationHealth = [Microsoft.HyperV.PowerShell.VMReplicationHealthState][int]$d.replication.health
        }
        $p.IntegrationServicesVersion = '0.0'   # fixed on 2016+: not evidence (domain notes 2)
        $o = New-Object PSObject -Property $p
        $o.PSObject.TypeNames.Insert(0, 'Microsoft.HyperV.PowerShell.VirtualMachine')
        [void]$list.Add($o)
        $script:byId[[string]$o.VMId] = $d
    }
    $script:vms = $list.ToArray()
    $script:builtFor = $h
}

# The description of a VM object handed back to us (-VM $vms).
function hvsDescribed($vm) { return $script:byId[[string]$vm.VMId] }

function hvsDenied($cmdlet, [string]$name) {
    $message = hvsFault 'denied' $name
    if ($null -eq $message) { return }
    $rec = hvsRecord $message "AccessDenied,Microsoft.HyperV.PowerShell.Commands.$($name -replace '-', '')" 'PermissionDenied' $null 'System.UnauthorizedAccessException'
    $cmdlet.ThrowTerminatingError($rec)
}

# Every cmdlet's start: counted and timed as Hyper-V\<name>, noise when asked for, then refused
# (a terminating error) if the description denies it. Returns the clock for hvsSpent.
function hvsBegin($cmdlet, [string]$name) {
    $clock = hvsCount "Hyper-V\$name"
    hvsNoise $name
    hvsDenied $cmdlet $name
    return $clock
}

# Non-terminating error for one VM (the cmdlet goes on with the others): true when written.
function hvsVmError($cmdlet, [string]$name, $vm) {
    $h = hvsHost
    if ($null -eq $h.faults) { return $false }
    foreach ($f in @($h.faults.vm_errors)) {
        if ($null -ne $f -and $f.command -eq $name -and [guid]$f.vm -eq [guid]$vm.VMId) {
            $rec = hvsRecord $f.message "OperationFailed,Microsoft.HyperV.PowerShell.Commands.$($name -replace '-', '')" 'NotSpecified' $vm
            hvsFail $cmdlet $rec
            return $true
        }
    }
    return $false
}

function Get-VM {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string[]]$Name)
    $clock = hvsBegin $PSCmdlet 'Get-VM'
    hvsVmObjects
    foreach ($vm in $script:vms) {
        if ($Name -and $Name -notcontains $vm.Name) { continue }
        if (-not (hvsVmError $PSCmdlet 'Get-VM' $vm)) { $vm }
    }
    hvsSpent $clock
}

function Get-VMReplication {
    [CmdletBinding()]
    param([Parameter(Position = 0)][object[]]$VM)
    $clock = hvsBegin $PSCmdlet 'Get-VMReplication'
    hvsVmObjects
    $targets = $script:vms
    if ($VM) { $targets = $VM }
    foreach ($vm in $targets) {
        if (hvsVmError $PSCmdlet 'Get-VMReplication' $vm) { continue }
        foreach ($r in @((hvsDescribed $vm).replication.relationships)) {
            if ($null -eq $r) { continue }
            $p = [ordered]@{
                VMId = [guid]$vm.VMId
                VMName = $vm.Name
                Name = $vm.Name
            }
            if ($null -ne $r.type) { $p.ReplicationRelationshipType = [Microsoft.HyperV.PowerShell.VMReplicationRelationshipType][string]$r.type }
            # The VM's own mode (VMReplicationBase.ReplicationMode reads the VM's), not the relationship's.
            $p.ReplicationMode = $vm.ReplicationMode
            if ($null -ne $r.state) { $p.ReplicationState = [Microsoft.HyperV.PowerShell.VMReplicationState][int]$r.state }
            if ($null -ne $r.health) { $p.ReplicationHealth = [Microsoft.HyperV.PowerShell.VMReplicationHealthState][int]$r.health }
            $p.PrimaryServerName = $r.primary_server
            $p.ReplicaServerName = $r.replica_server
            $p.CurrentReplicaServerName = $r.current_replica_server
            hvsReplicationSettings $p $r
            $o = New-Object PSObject -Property $p
            $o.PSObject.TypeNames.Insert(0, 'Microsoft.HyperV.PowerShell.VMReplication')
            $o
        }
    }
    hvsSpent $clock
}

function Get-VMIntegrationService {
    [CmdletBinding()]
    param([Parameter(Position = 0)][object[]]$VM, [string[]]$Name)
    $clock = hvsBegin $PSCmdlet 'Get-VMIntegrationService'
    hvsVmObjects
    $targets = $script:vms
    if ($VM) { $targets = $VM }
    foreach ($vm in $targets) {
        if (hvsVmError $PSCmdlet 'Get-VMIntegrationService' $vm) { continue }
        $vmGuid = ([string]$vm.VMId).ToUpperInvariant()
        foreach ($s in @((hvsDescribed $vm).integration_services)) {
            if ($null -eq $s) { continue }
            $status = New-Object 'Collections.Generic.List[int]'
            if ($null -ne $s.primary_status) { [void]$status.Add([int]$s.primary_status) }
            if ($null -ne $s.secondary_status) { [void]$status.Add([int]$s.secondary_status) }
            $id = 'Microsoft:' + $vmGuid + '\' + ([string]$s.guid).ToUpperInvariant()
            New-Object Microsoft.HyperV.PowerShell.VMIntegrationComponent ([guid]$vm.VMId), $vm.Name, ([string]$s.name), $id, ([bool]$s.enabled), $status.ToArray()
        }
    }
    hvsSpent $clock
}

function Get-VMNetworkAdapter {
    [CmdletBinding()]
    param([Parameter(Position = 0)][object[]]$VM, [switch]$All)
    $clock = hvsBegin $PSCmdlet 'Get-VMNetworkAdapter'
    hvsVmObjects
    $targets = $script:vms
    if ($VM) { $targets = $VM }
    foreach ($vm in $targets) {
        if (hvsVmError $PSCmdlet 'Get-VMNetworkAdapter' $vm) { continue }
        foreach ($a in @((hvsDescribed $vm).network_adapters)) {
            if ($null -eq $a) { continue }
            $o = New-Object PSObject -Property ([ordered]@{
                Name = [string]$a.name
                Id = $a.id
                VMId = [guid]$vm.VMId
                VMName = $vm.Name
                IsLegacy = [bool]$a.legacy
                SwitchName = 'External'
            })
            $o.PSObject.TypeNames.Insert(0, 'Microsoft.HyperV.PowerShell.VMNetworkAdapter')
            # Where this stand-in finds the adapter's failover settings again.
            Add-Member -InputObject $o -MemberType NoteProperty -Name HvbpaStandInFailover -Value $a.failover
            $o
        }
    }
    hvsSpent $clock
}

# The real output does not name the adapter, and an adapter without failover settings gets
# no object at all (the cmdlet writes its FailoverSetting only when there is one).
function Get-VMNetworkAdapterFailoverConfiguration {
    [CmdletBinding()]
    param([Parameter(Position = 0)][object[]]$VMNetworkAdapter)
    $clock = hvsBegin $PSCmdlet 'Get-VMNetworkAdapterFailoverConfiguration'
    foreach ($a in @($VMNetworkAdapter)) {
        if ($a.IsLegacy) {
            $rec = hvsRecord ("Failover settings are not supported for legacy network adapter '" + $a.Name + "'.") 'InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVMNetworkAdapterFailoverConfiguration' 'InvalidArgument' $a
            hvsFail $PSCmdlet $rec
            continue
        }
        if (hvsVmError $PSCmdlet 'Get-VMNetworkAdapterFailoverConfiguration' $a) { continue }
        $f = $a.HvbpaStandInFailover
        if ($null -eq $f) { continue }
        $p = [ordered]@{}
        foreach ($pair in @(
                @('IPv4Address', 'ipv4_address'), @('IPv4SubnetMask', 'ipv4_subnet_mask'),
                @('IPv4DefaultGateway', 'ipv4_default_gateway'), @('IPv4PreferredDNSServer', 'ipv4_preferred_dns'),
                @('IPv4AlternateDNSServer', 'ipv4_alternate_dns'), @('IPv6Address', 'ipv6_address'),
                @('IPv6SubnetPrefixLength', 'ipv6_prefix_length'), @('IPv6DefaultGateway', 'ipv6_default_gateway'),
                @('IPv6PreferredDNSServer', 'ipv6_preferred_dns'), @('IPv6AlternateDNSServer', 'ipv6_alternate_dns'))) {
            $v = $null
            if ($null -ne $f) { $v = $f.($pair[1]) }
            $p[$pair[0]] = $v
        }
        $o = New-Object PSObject -Property $p
        $o.PSObject.TypeNames.Insert(0, 'Microsoft.HyperV.PowerShell.VMNetworkAdapterFailoverSetting')
        $o
    }
    hvsSpent $clock
}

$missing = @()
if ($null -ne (hvsHost) -and $null -ne (hvsHost).faults) { $missing = @((hvsHost).faults.missing_cmdlets) }
Export-ModuleMember -Function @(
    'Get-VM', 'Get-VMReplication', 'Get-VMIntegrationService', 'Get-VMNetworkAdapter',
    'Get-VMNetworkAdapterFailoverConfiguration', 'Get-VMSnapshot', 'Get-VMReplicationServer',
    'Get-VMReplicationAuthorizationEntry', 'Measure-VMReplication' | Where-Object { $missing -notcontains $_ })
