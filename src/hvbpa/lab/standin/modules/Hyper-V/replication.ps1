# Stand-ins for the Hyper-V Replica cmdlets collect.ps1 calls (issue 14), dot-sourced by
# Hyper-V.psm1: the Replica server's settings, its authorization entries and the checkpoints
# of failed-over VMs, answered from the description's replication_server and each VM's
# checkpoints. A property the description leaves null is left out, as an older module would.

function hvsPut($properties, [string]$name, $value) {
    if ($null -ne $value) { $properties[$name] = $value }
}

function Get-VMReplicationServer {
    [CmdletBinding()]
    param()
    $clock = hvsBegin $PSCmdlet 'Get-VMReplicationServer'
    $h = hvsHost
    $s = $h.replication_server
    $p = [ordered]@{ ComputerName = [string]$h.computer.DNSHostName }
    if ($null -eq $s) {
        # A host never set up as a Replica server: what Hyper-V reports out of the box.
        $p.ReplicationEnabled = $false
        $p.AllowedAuthenticationType = [Microsoft.HyperV.PowerShell.RecoveryAuthenticationType]1
        $p.ReplicationAllowedFromAnyServer = $false
        $p.CertificateThumbprint = $null
    } else {
        hvsPut $p 'ReplicationEnabled' $s.enabled
        if ($null -ne $s.allowed_authentication) {
            $p.AllowedAuthenticationType = [Microsoft.HyperV.PowerShell.RecoveryAuthenticationType][int]$s.allowed_authentication
        }
        hvsPut $p 'ReplicationAllowedFromAnyServer' $s.allowed_from_any_server
        $p.CertificateThumbprint = $s.certificate_thumbprint
    }
    $o = New-Object PSObject -Property $p
    $o.PSObject.TypeNames.Insert(0, 'Microsoft.HyperV.PowerShell.VMReplicationServer')
    $o
    hvsSpent $clock
}

function Get-VMReplicationAuthorizationEntry {
    [CmdletBinding()]
    param()
    $clock = hvsBegin $PSCmdlet 'Get-VMReplicationAuthorizationEntry'
    $s = (hvsHost).replication_server
    if ($null -ne $s) {
        foreach ($e in @($s.authorization_entries)) {
            if ($null -eq $e) { continue }
            $o = New-Object PSObject -Property ([ordered]@{
                AllowedPrimaryServer = [string]$e.allowed_primary_server
                ReplicaStorageLocation = $e.replica_storage_location
                TrustGroup = $e.trust_group
            })
            $o.PSObject.TypeNames.Insert(0, 'Microsoft.HyperV.PowerShell.VMReplicationAuthorizationEntry')
            $o
        }
    }
    hvsSpent $clock
}

function Get-VMSnapshot {
    [CmdletBinding()]
    param([Parameter(Position = 0)][object[]]$VM)
    $clock = hvsBegin $PSCmdlet 'Get-VMSnapshot'
    hvsVmObjects
    foreach ($vm in @($VM)) {
        if ($null -eq $vm -or (hvsVmError $PSCmdlet 'Get-VMSnapshot' $vm)) { continue }
        foreach ($c in @((hvsDescribed $vm).checkpoints)) {
            if ($null -eq $c) { continue }
            $o = New-Object PSObject -Property ([ordered]@{
                VMId = [guid]$vm.VMId
                VMName = $vm.Name
                Name = $c.name
                SnapshotType = [Microsoft.HyperV.PowerShell.SnapshotType][int]$c.type
            })
            $o.PSObject.TypeNames.Insert(0, 'Microsoft.HyperV.PowerShell.VMSnapshot')
            $o
        }
    }
    hvsSpent $clock
}

# The relationship settings Get-VMReplication adds to each object (null: left out).
function hvsReplicationSettings($properties, $r) {
    hvsPut $properties 'ReplicationFrequencySec' $r.frequency_seconds
    hvsPut $properties 'CompressionEnabled' $r.compression_enabled
    if ($null -ne $r.authentication_type) {
        $properties.AuthenticationType = [Microsoft.HyperV.PowerShell.ReplicationAuthenticationType][int]$r.authentication_type
    }
    hvsPut $properties 'VSSSnapshotFrequencyHour' $r.app_consistent_hours
    hvsPut $properties 'AutoResynchronizeEnabled' $r.auto_resync_enabled
    if ($null -ne $r.auto_resync_start_seconds) {
        $properties.AutoResynchronizeIntervalStart = [TimeSpan]::FromSeconds([double]$r.auto_resync_start_seconds)
    }
    if ($null -ne $r.auto_resync_end_seconds) {
        $properties.AutoResynchronizeIntervalEnd = [TimeSpan]::FromSeconds([double]$r.auto_resync_end_seconds)
    }
    # Null means "never replicated": the real property is then null too (DateTime?).
    $properties.LastReplicationTime = hvsUtc $r.last_replication_time
    # Issue 17: left out where the description has no value, as an older host's object would be.
    hvsPut $properties 'ReplicaServerPort' (hvsField $r 'replica_port')
    hvsPut $properties 'RecoveryHistory' (hvsField $r 'recovery_history')
    foreach ($pair in @(@('ReplicatedDisks', 'replicated_disks'), @('ExcludedDisks', 'excluded_disks'))) {
        # Not through hvsField: a function hands an empty list back as $null.
        $given = $r.PSObject.Properties[$pair[1]]
        if ($null -eq $given -or $null -eq $given.Value) { continue }
        $paths = $given.Value
        # IList<HardDiskDrive>: drive objects, whose Path is the virtual disk's file.
        $drives = New-Object 'Collections.Generic.List[object]'
        foreach ($path in @($paths)) {
            $d = New-Object PSObject -Property ([ordered]@{ Path = [string]$path; ControllerType = 'SCSI' })
            $d.PSObject.TypeNames.Insert(0, 'Microsoft.HyperV.PowerShell.HardDiskDrive')
            [void]$drives.Add($d)
        }
        $properties[$pair[0]] = $drives
    }
}

# A description field that may be absent (descriptions from snapshots of older collectors).
function hvsField($o, [string]$name) {
    if ($null -eq $o) { return $null }
    $p = $o.PSObject.Properties[$name]
    if ($null -eq $p) { return $null }
    return $p.Value
}

# Measure-VMReplication: one VMReplicationHealth per relationship of the VMs asked about. Its
# LastTestFailoverInitiatedTime is the statistics' LastTestFailoverTime, null when that is the
# FILETIME zero (no test failover ever); a description without the time leaves the property
# out, as a module that lacks it would.
function Measure-VMReplication {
    [CmdletBinding()]
    param([Parameter(Position = 0)][object[]]$VM, [string]$ReplicationRelationshipType)
    $clock = hvsBegin $PSCmdlet 'Measure-VMReplication'
    hvsVmObjects
    $targets = $script:vms
    if ($VM) { $targets = $VM }
    foreach ($vm in $targets) {
        if ($null -eq $vm -or (hvsVmError $PSCmdlet 'Measure-VMReplication' $vm)) { continue }
        foreach ($r in @((hvsDescribed $vm).replication.relationships)) {
            if ($null -eq $r) { continue }
            $p = [ordered]@{ VMId = [guid]$vm.VMId; VMName = $vm.Name; ReplicationMode = $vm.ReplicationMode }
            if ($null -ne $r.type) { $p.ReplicationRelationshipType = [Microsoft.HyperV.PowerShell.VMReplicationRelationshipType][string]$r.type }
            if ($ReplicationRelationshipType -and [string]$p.ReplicationRelationshipType -ne $ReplicationRelationshipType) { continue }
            $when = hvsField $r 'last_test_failover_time'
            if ($null -ne $when) {
                $time = hvsUtc $when
                if ($time.Ticks -eq (New-Object DateTime 1601, 1, 1, 0, 0, 0).Ticks) { $time = $null }
                $p.LastTestFailoverInitiatedTime = $time
            }
            $o = New-Object PSObject -Property $p
            $o.PSObject.TypeNames.Insert(0, 'Microsoft.HyperV.PowerShell.VMReplicationHealth')
            $o
        }
    }
    hvsSpent $clock
}

# A description time as a UTC DateTime (PowerShell 7's ConvertFrom-Json may have made it one already).
function hvsUtc($value) {
    if ($null -eq $value) { return $null }
    if ($value -is [DateTime]) { return $value.ToUniversalTime() }
    return ([DateTimeOffset]::Parse([string]$value, [Globalization.CultureInfo]::InvariantCulture)).UtcDateTime
}
