# hvbpa collector: prints ONE JSON document (hvbpa.snapshot/1) and nothing else; the bootstrap
# pipes our output through Out-String, so every other statement is assigned or [void].
# Read-only: Get-* cmdlets, CIM queries, in-memory formatting. Windows PowerShell 4.0 (Windows
# Server 2012 R2), 5.1 and 7: no [type]::new(), classes, using, ternary, ??, ?., && or ||.
Set-StrictMode -Version 2
$ProgressPreference = 'SilentlyContinue'   # else progress records arrive as CLIXML on stderr
$WarningPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'            # every section below has its own try/catch
$collectedAt = [DateTime]::UtcNow.ToString('o')
$errors = New-Object 'Collections.Generic.List[object]'
$vmOut = New-Object 'Collections.Generic.List[object]'
$byId = @{}                                # VMId string -> vm record (case-insensitive keys)

# Null-safe property read: Hyper-V module versions differ, and StrictMode throws on a missing one.
function hvProp($o, [string]$n) {
    if ($null -eq $o) { return $null }
    $p = $o.PSObject.Properties[$n]
    if ($null -eq $p) { return $null }
    return $p.Value
}
# Enums as integers (what ConvertTo-Json writes anyway), but null stays null: a bare [int] cast
# would turn a missing value (Heartbeat of a VM that is off) into 0, a real enum value.
function hvInt($v) { if ($null -eq $v) { return $null }; return [int]$v }
# [string] also strips PSObject wrappers that 5.1's ConvertTo-Json would serialize as objects.
function hvStr($v) { if ($null -eq $v -or [string]$v -eq '') { return $null }; return [string]$v }
function hvBool($v) { if ($null -eq $v) { return $null }; return [bool]$v }
# A TimeSpan as seconds since midnight (Hours is 0-23), null when missing.
function hvTod($v) { if ($null -eq $v) { return $null }; return [int]$v.Hours * 3600 + [int]$v.Minutes * 60 + [int]$v.Seconds }
# A DateTime as ISO 8601 UTC in the invariant calendar; DateTime.MinValue means "never".
function hvTime($v) {
    if ($null -eq $v) { return $null }
    $d = [DateTime]$v
    if ($d -eq [DateTime]::MinValue) { return $null }
    return $d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [Globalization.CultureInfo]::InvariantCulture)
}
function hvErr([string]$section, $vmId, $message) {
    [void]$errors.Add([ordered]@{ section = $section; vm_id = (hvStr $vmId); message = [string]$message })
}
# Non-terminating errors collected with -ErrorVariable: one bad VM must not cost the whole host.
function hvErrs([string]$section, $records) {
    foreach ($e in @($records)) {
        if ($null -ne $e) { hvErr $section (hvProp (hvProp $e 'TargetObject') 'VMId') ([string]$e) }
    }
}

# ---- host ----
$hostInfo = [ordered]@{
    name = [string][Environment]::MachineName
    fqdn = $null
    os_caption = $null
    os_build = $null
    ps_version = [string]$PSVersionTable.PSVersion
    hyperv_module = $false
    is_admin = $false
    is_hyperv_admin = $false
    cluster_name = $null
    cluster_nodes = $null
}
try {
    # The caller's roles. Seam for running this script off Windows (hvbpa's test harness and
    # lab, where WindowsIdentity does not exist): a caller may define $HvbpaCallerRoles =
    # @{ is_admin = ...; is_hyperv_admin = ... } before the script runs. Nothing defines it on
    # a host: the bootstrap starts a fresh powershell.exe -NoProfile.
    $roles = $ExecutionContext.SessionState.PSVariable.GetValue('HvbpaCallerRoles')
    if ($null -ne $roles) {
        $hostInfo['is_admin'] = [bool]$roles['is_admin']
        $hostInfo['is_hyperv_admin'] = [bool]$roles['is_hyperv_admin']
    } else {
        $principal = New-Object Security.Principal.WindowsPrincipal ([Security.Principal.WindowsIdentity]::GetCurrent())
        $hostInfo['is_admin'] = [bool]$principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
        # Hyper-V Administrators by well-known SID: the group name is localized.
        $hostInfo['is_hyperv_admin'] = [bool]$principal.IsInRole([Security.Principal.SecurityIdentifier]'S-1-5-32-578')
    }
} catch { hvErr 'host' $null ([string]$_) }
$moduleListed = $false   # false: Get-Module itself failed, which says nothing about the module
try {
    $hostInfo['hyperv_module'] = @(Get-Module -ListAvailable -Name Hyper-V).Count -gt 0
    $moduleListed = $true
} catch { hvErr 'host' $null ([string]$_) }
try {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $hostInfo['os_caption'] = hvStr $os.Caption
    $hostInfo['os_build'] = hvStr $os.BuildNumber
    $cs = Get-CimInstance -ClassName Win32_ComputerSystem
    $dns = hvStr $cs.DNSHostName
    if ($null -ne $dns) {
        $hostInfo['name'] = $dns
        $hostInfo['fqdn'] = $dns
        if ($cs.PartOfDomain) { $hostInfo['fqdn'] = $dns + '.' + [string]$cs.Domain }
    }
} catch { hvErr 'host' $null ([string]$_) }
try {
    # Get-VM lists only the VMs this node owns: the node names let a report say which nodes
    # of the cluster were not scanned.
    $cl = @(Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_Cluster)
    if ($cl.Count -gt 0) { $hostInfo['cluster_name'] = hvStr $cl[0].Name }
} catch {
    # Only cluster nodes have this namespace: "invalid namespace" (WBEM_E_INVALID_NAMESPACE,
    # 0x8004100E; the message is localized, the id is not) is the normal, standalone case.
    # Anything else (access denied...) is recorded, not taken to mean "not a cluster".
    if ([string]$_.FullyQualifiedErrorId -notmatch '0x8004100e') { hvErr 'host' $null ([string]$_) }
}
if ($null -ne $hostInfo['cluster_name']) {
    try {
        $nodes = New-Object 'Collections.Generic.List[object]'
        foreach ($n in @(Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_Node)) {
            $nn = hvStr $n.Name
            if ($null -ne $nn) { [void]$nodes.Add($nn) }
        }
        $hostInfo['cluster_nodes'] = $nodes
    } catch { hvErr 'host' $null ([string]$_) }
}

$canCollect = $true
if ($moduleListed -and -not $hostInfo['hyperv_module']) {
    hvErr 'host' $null 'Hyper-V PowerShell module not installed; no VMs read.'
    $canCollect = $false
}
if (-not ($hostInfo['is_admin'] -or $hostInfo['is_hyperv_admin'])) {
    hvErr 'host' $null 'Account is neither administrator nor Hyper-V Administrator (S-1-5-32-578); no VMs read.'
    $canCollect = $false
}

# ---- vms ----
# Cmdlets are module-qualified: VMware PowerCLI also exports Get-VM.
$vms = @()
if ($canCollect) {
    try {
        $ev = $null
        $vms = @(Hyper-V\Get-VM -ErrorAction SilentlyContinue -ErrorVariable ev)
        hvErrs 'vms' $ev
        if (-not $moduleListed) { $hostInfo['hyperv_module'] = $true }   # Get-VM answered
        foreach ($vm in $vms) {
            try {
                $id = [string]$vm.Id   # GUIDs as strings; the VMId is the identity across hosts
                $up = hvProp $vm 'Uptime'
                if ($null -ne $up) { $up = [long]$up.TotalSeconds }
                $rec = [ordered]@{
                    name = [string]$vm.Name
                    id = $id
                    state = (hvInt $vm.State)
                    uptime_seconds = $up
                    heartbeat = (hvInt (hvProp $vm 'Heartbeat'))
                    generation = (hvInt (hvProp $vm 'Generation'))
                    version = (hvStr (hvProp $vm 'Version'))
                    type = (hvInt (hvProp $vm 'VirtualMachineType'))
                    is_clustered = (hvBool (hvProp $vm 'IsClustered'))
                    replication = [ordered]@{
                        mode = (hvInt (hvProp $vm 'ReplicationMode'))
                        state = (hvInt (hvProp $vm 'ReplicationState'))
                        health = (hvInt (hvProp $vm 'ReplicationHealth'))
                        relationships = (New-Object 'Collections.Generic.List[object]')
                    }
                    integration_services = (New-Object 'Collections.Generic.List[object]')
                    kvp = $null
                    network_adapters = (New-Object 'Collections.Generic.List[object]')
                    checkpoints = $null   # read below for failed-over VMs only
                }
                [void]$vmOut.Add($rec)
                $byId[$id] = $rec
            } catch { hvErr 'vms' (hvProp $vm 'VMId') ([string]$_) }
        }
    } catch { hvErr 'vms' $null ([string]$_); $vms = @() }
}

# ---- replication ----
# One host-wide call: without -VM it lists every replicated VM, both Simple and Extended
# relationships, and raises no error for VMs that are not replicated.
if ($vms.Count -gt 0) {
    try {
        $ev = $null
        foreach ($r in @(Hyper-V\Get-VMReplication -ErrorAction SilentlyContinue -ErrorVariable ev)) {
            try {
                $rec = $byId[[string]$r.VMId]
                if ($null -eq $rec) { continue }
                [void]$rec['replication']['relationships'].Add([ordered]@{
                    type = (hvStr (hvProp $r 'ReplicationRelationshipType'))   # Simple / Extended
                    mode = (hvInt (hvProp $r 'ReplicationMode'))
                    state = (hvInt (hvProp $r 'ReplicationState'))
                    health = (hvInt (hvProp $r 'ReplicationHealth'))
                    primary_server = (hvStr (hvProp $r 'PrimaryServerName'))
                    replica_server = (hvStr (hvProp $r 'ReplicaServerName'))
                    current_replica_server = (hvStr (hvProp $r 'CurrentReplicaServerName'))
                    # Settings of the relationship; null where an older Hyper-V module lacks them.
                    frequency_seconds = (hvInt (hvProp $r 'ReplicationFrequencySec'))
                    compression_enabled = (hvBool (hvProp $r 'CompressionEnabled'))
                    authentication_type = (hvInt (hvProp $r 'AuthenticationType'))
                    app_consistent_hours = (hvInt (hvProp $r 'VSSSnapshotFrequencyHour'))
                    auto_resync_enabled = (hvBool (hvProp $r 'AutoResynchronizeEnabled'))
                    auto_resync_start_seconds = (hvTod (hvProp $r 'AutoResynchronizeIntervalStart'))
                    auto_resync_end_seconds = (hvTod (hvProp $r 'AutoResynchronizeIntervalEnd'))
                    last_replication_time = (hvTime (hvProp $r 'LastReplicationTime'))
                })
            } catch { hvErr 'replication' (hvProp $r 'VMId') ([string]$_) }
        }
        hvErrs 'replication' $ev
    } catch { hvErr 'replication' $null ([string]$_) }
}

# ---- integration_services ----
# One bulk call for all VMs. Services are identified by the GUID that ends their Id
# (Microsoft:<VMId>\<GUID>) because display names are localized. No status getter is read:
# on a host each one re-queries WMI (one query per service of every VM); the Data Exchange
# status comes from the KVP query below.
$kvpGuid = '2A34B1C2-FD73-4043-8A5B-DD2159BC743F'
$vssGuid = '5CED1297-4598-4915-A5FC-AD21BB4D02A4'
$vssRecord = @{}                           # VMId -> the VM's VSS (Backup) service record
$kvpRecord = @{}                           # VMId -> the VM's Data Exchange service record
$kvpObject = @{}                           # VMId -> the same service as Get-VMIntegrationService gave it
if ($vms.Count -gt 0) {
    try {
        $ev = $null
        foreach ($ic in @(Hyper-V\Get-VMIntegrationService -VM $vms -ErrorAction SilentlyContinue -ErrorVariable ev)) {
            try {
                $vid = [string]$ic.VMId
                $rec = $byId[$vid]
                if ($null -eq $rec) { continue }
                # Greedy '.*': the last GUID in the Id is the service's, the first one is the VM's.
                if (-not ([string]$ic.Id -match '^.*([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})')) { continue }
                $guid = $Matches[1].ToUpperInvariant()
                $svc = [ordered]@{
                    guid = $guid
                    name = (hvStr $ic.Name)   # informational only
                    enabled = [bool]$ic.Enabled
                    primary_status = $null
                    secondary_status = $null
                }
                [void]$rec['integration_services'].Add($svc)
                if ($guid -eq $kvpGuid) { $kvpRecord[$vid] = $svc; $kvpObject[$vid] = $ic }
                if ($guid -eq $vssGuid) { $vssRecord[$vid] = $svc }
            } catch { hvErr 'integration_services' (hvProp $ic 'VMId') ([string]$_) }
        }
        hvErrs 'integration_services' $ev
    } catch { hvErr 'integration_services' $null ([string]$_) }
}

# ---- kvp ----
# Guest-published KVP data is the best evidence that integration services run in the guest
# (Get-VM's IntegrationServicesVersion is 0.0 on 2016+). One query per host; SystemName = VMId.
# Each item is an XML INSTANCE with PROPERTY NAME="Name"/"Data". The same instance's
# OperationalStatus is the Data Exchange service's status (2 OK, 12 no contact, ...).
$kvpRead = $false
if ($vms.Count -gt 0) {
    try {
        $comps = @(Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_KvpExchangeComponent -Property SystemName, GuestIntrinsicExchangeItems, OperationalStatus)
        $kvpRead = $true
        foreach ($c in $comps) {
            try {
                $vid = [string]$c.SystemName
                $rec = $byId[$vid]
                if ($null -eq $rec) { continue }
                $svc = $kvpRecord[$vid]
                $st = @(hvProp $c 'OperationalStatus')
                if ($null -ne $svc -and $st.Count -gt 0 -and $null -ne $st[0]) {
                    $svc['primary_status'] = hvInt $st[0]
                    if ($st.Count -gt 1) { $svc['secondary_status'] = hvInt $st[1] }
                }
                $k = [ordered]@{ integration_services_version = $null; os_name = $null; os_version = $null }
                $any = $false
                foreach ($item in @($c.GuestIntrinsicExchangeItems)) {
                    if ($null -eq $item) { continue }
                    $any = $true
                    # Cheap text test first: only 3 of ~15 items per VM are worth an XML parse.
                    if ([string]$item -notmatch 'IntegrationServicesVersion|OSName|OSVersion') { continue }
                    $x = [xml][string]$item
                    $n = $x.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Name']/VALUE")
                    $d = $x.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Data']/VALUE")
                    if ($null -eq $n -or $null -eq $d) { continue }
                    $val = hvStr $d.InnerText.Trim()   # some guests end Data with a newline
                    switch ($n.InnerText.Trim()) {
                        'IntegrationServicesVersion' { $k['integration_services_version'] = $val }
                        'OSName' { $k['os_name'] = $val }
                        'OSVersion' { $k['os_version'] = $val }
                    }
                }
                if ($any) { $rec['kvp'] = $k }   # null = the guest published nothing (off, or no components)
            } catch { hvErr 'kvp' (hvProp $c 'SystemName') ([string]$_) }
        }
    } catch { hvErr 'kvp' $null ([string]$_) }
}
if (-not $kvpRead) {
    # Without the KVP query the Data Exchange status still decides the verdict: read it from
    # each VM's service (one WMI query per VM, on this failure path only).
    foreach ($vid in @($kvpRecord.Keys)) {
        try {
            $kvpRecord[$vid]['primary_status'] = hvInt (hvProp $kvpObject[$vid] 'PrimaryOperationalStatus')
            $kvpRecord[$vid]['secondary_status'] = hvInt (hvProp $kvpObject[$vid] 'SecondaryOperationalStatus')
        } catch { hvErr 'integration_services' $vid ([string]$_) }
    }
}

# ---- network_adapters ----
# Adapters in one bulk call; failover settings in one more, for the synthetic adapters of
# Primary/Replica/ExtendedReplica VMs (the only ones that have them; a legacy adapter makes
# the call fail). The settings do not name their adapter: the cmdlet answers each adapter of
# -VMNetworkAdapter in order, so they pair by position. If an adapter failed (fewer answers
# than adapters) the pairing is lost, and each adapter is asked alone so that every error
# names its VM: one call per adapter on that failure path only.
# failover is null when no address is set or the VM is not replicated.
function hvFailover($f) {
    $o = [ordered]@{
        ipv4_address = (hvStr (hvProp $f 'IPv4Address'))
        ipv4_subnet_mask = (hvStr (hvProp $f 'IPv4SubnetMask'))
        ipv4_default_gateway = (hvStr (hvProp $f 'IPv4DefaultGateway'))
        ipv4_preferred_dns = (hvStr (hvProp $f 'IPv4PreferredDNSServer'))
        ipv4_alternate_dns = (hvStr (hvProp $f 'IPv4AlternateDNSServer'))
        ipv6_address = (hvStr (hvProp $f 'IPv6Address'))
        ipv6_prefix_length = (hvStr (hvProp $f 'IPv6SubnetPrefixLength'))
        ipv6_default_gateway = (hvStr (hvProp $f 'IPv6DefaultGateway'))
        ipv6_preferred_dns = (hvStr (hvProp $f 'IPv6PreferredDNSServer'))
        ipv6_alternate_dns = (hvStr (hvProp $f 'IPv6AlternateDNSServer'))
    }
    foreach ($v in $o.Values) { if ($null -ne $v) { return $o } }
    return $null
}
if ($vms.Count -gt 0) {
    $asked = New-Object 'Collections.Generic.List[object]'     # adapters whose failover settings to read
    $askedRec = New-Object 'Collections.Generic.List[object]'  # their adapter records, same order
    try {
        $ev = $null
        foreach ($a in @(Hyper-V\Get-VMNetworkAdapter -VM $vms -ErrorAction SilentlyContinue -ErrorVariable ev)) {
            $rec = $byId[[string]$a.VMId]
            if ($null -eq $rec) { continue }
            $ad = [ordered]@{
                name = [string]$a.Name
                id = (hvStr (hvProp $a 'Id'))
                failover = $null
            }
            [void]$rec['network_adapters'].Add($ad)
            if ((@(1, 2, 4) -contains $rec['replication']['mode']) -and -not (hvProp $a 'IsLegacy')) {
                [void]$asked.Add($a)
                [void]$askedRec.Add($ad)
            }
        }
        hvErrs 'network_adapters' $ev
    } catch { hvErr 'network_adapters' $null ([string]$_) }
    if ($asked.Count -gt 0) {
        try {
            $ev = $null
            $fs = @(Hyper-V\Get-VMNetworkAdapterFailoverConfiguration -VMNetworkAdapter $asked.ToArray() -ErrorAction SilentlyContinue -ErrorVariable ev)
            if ($fs.Count -eq $asked.Count -and @($ev).Count -eq 0) {
                for ($i = 0; $i -lt $fs.Count; $i++) { $askedRec[$i]['failover'] = hvFailover $fs[$i] }
            } else {
                for ($i = 0; $i -lt $asked.Count; $i++) {
                    $ev = $null
                    $one = @(Hyper-V\Get-VMNetworkAdapterFailoverConfiguration -VMNetworkAdapter $asked[$i] -ErrorAction SilentlyContinue -ErrorVariable ev)
                    foreach ($e in @($ev)) { if ($null -ne $e) { hvErr 'network_adapters' ([string]$asked[$i].VMId) ([string]$e) } }
                    if ($one.Count -gt 0) { $askedRec[$i]['failover'] = hvFailover $one[0] }
                }
            }
        } catch { hvErr 'network_adapters' $null ([string]$_) }
    }
}

# ---- vss ----
# Application-consistent recovery points need the guest's VSS (Backup) service working. Its
# status comes from one host-wide query, as the Data Exchange status does (no status getter),
# and only when some relationship takes such points.
$wantVss = $false
foreach ($rec in $vmOut) {
    foreach ($r in $rec['replication']['relationships']) {
        if ($r['app_consistent_hours'] -gt 0) { $wantVss = $true }
    }
}
if ($wantVss -and $vssRecord.Count -gt 0) {
    try {
        foreach ($c in @(Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_VssComponent -Property SystemName, OperationalStatus)) {
            $svc = $vssRecord[[string]$c.SystemName]
            if ($null -eq $svc) { continue }
            $st = @(hvProp $c 'OperationalStatus')
            if ($st.Count -gt 0 -and $null -ne $st[0]) {
                $svc['primary_status'] = hvInt $st[0]
                if ($st.Count -gt 1) { $svc['secondary_status'] = hvInt $st[1] }
            }
        }
    } catch { hvErr 'vss' $null ([string]$_) }
}

# ---- checkpoints ----
# Only failed-over VMs (FailedOverWaitingCompletion, 6) are asked about: one bulk call for them.
$failedOver = @($vms | Where-Object { (hvInt (hvProp $_ 'ReplicationState')) -eq 6 })
if ($failedOver.Count -gt 0) {
    foreach ($vm in $failedOver) {
        $rec = $byId[[string]$vm.Id]
        if ($null -ne $rec) { $rec['checkpoints'] = @() }
    }
    try {
        $ev = $null
        foreach ($cp in @(Hyper-V\Get-VMSnapshot -VM $failedOver -ErrorAction SilentlyContinue -ErrorVariable ev)) {
            $rec = $byId[[string]$cp.VMId]
            if ($null -eq $rec -or $null -eq $rec['checkpoints']) { continue }
            $rec['checkpoints'] += , ([ordered]@{ type = (hvInt (hvProp $cp 'SnapshotType')); name = (hvStr $cp.Name) })
        }
        hvErrs 'checkpoints' $ev
    } catch { hvErr 'checkpoints' $null ([string]$_) }
}

# ---- replication_server ----
# The host's Replica server settings, its authorization entries, and the configured
# certificate's store entry (read only: subject, expiry, private key present).
$replServer = $null
if ($canCollect) {
    try {
        $rs = Hyper-V\Get-VMReplicationServer
        $replServer = [ordered]@{
            enabled = (hvBool (hvProp $rs 'ReplicationEnabled'))
            allowed_authentication = (hvInt (hvProp $rs 'AllowedAuthenticationType'))
            allowed_from_any_server = (hvBool (hvProp $rs 'ReplicationAllowedFromAnyServer'))
            certificate_thumbprint = (hvStr (hvProp $rs 'CertificateThumbprint'))
            authorization_entries = $null
            certificate = $null
        }
    } catch { hvErr 'replication_server' $null ([string]$_) }
}
if ($null -ne $replServer) {
    try {
        $entries = @()
        foreach ($a in @(Hyper-V\Get-VMReplicationAuthorizationEntry)) {
            $entries += , ([ordered]@{
                allowed_primary_server = [string]$a.AllowedPrimaryServer
                replica_storage_location = (hvStr (hvProp $a 'ReplicaStorageLocation'))
                trust_group = (hvStr (hvProp $a 'TrustGroup'))
            })
        }
        $replServer['authorization_entries'] = $entries
    } catch { hvErr 'authorization_entries' $null ([string]$_) }
    # A pasted thumbprint can carry spaces or an invisible mark; the store path needs hex only.
    $thumb = [string]$replServer['certificate_thumbprint'] -replace '[^0-9A-Fa-f]', ''
    if ($thumb -ne '') {
        try {
            $c = [ordered]@{ thumbprint = $thumb; found = $false; subject = $null; not_after = $null; has_private_key = $null }
            $cert = Get-Item -LiteralPath ('Cert:\LocalMachine\My\' + $thumb) -ErrorAction SilentlyContinue
            if ($null -ne $cert) {
                $c['found'] = $true
                $c['subject'] = hvStr $cert.Subject
                $c['not_after'] = hvTime $cert.NotAfter
                $c['has_private_key'] = hvBool $cert.HasPrivateKey
            }
            $replServer['certificate'] = $c
        } catch { hvErr 'certificate' $null ([string]$_) }
    }
}

# ---- cluster_resources ----
# Cluster nodes only. The WMI provider, not the FailoverClusters module (often not installed):
# the resource Type is the type's name (not localized, unlike the resources' own names).
$clusterResources = $null
if ($null -ne $hostInfo['cluster_name']) {
    try {
        $found = @()
        foreach ($res in @(Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_Resource -Property Name, Type, State)) {
            $type = hvStr $res.Type
            if ($null -eq $type) { continue }
            # CLUSTER_RESOURCE_STATE, by name.
            $st = hvInt $res.State
            $stName = hvStr $res.State
            if ($null -ne $st -and $st -ge 0 -and $st -le 4) {
                $stName = @('Inherited', 'Initializing', 'Online', 'Offline', 'Failed')[$st]
            } elseif ($st -eq 128) { $stName = 'Pending' }
            elseif ($st -eq 129) { $stName = 'OnlinePending' }
            elseif ($st -eq 130) { $stName = 'OfflinePending' }
            $found += , ([ordered]@{ name = [string]$res.Name; type = $type; state = $stName })
        }
        $clusterResources = $found
    } catch { hvErr 'cluster_resources' $null ([string]$_) }
}

# ---- output: the only statement that writes to the pipeline ----
$root = [ordered]@{
    schema = 'hvbpa.snapshot/1'
    collected_at = $collectedAt
    collector_version = '0.1.0'
    host = $hostInfo
    vms = $vmOut
    errors = $errors
    replication_server = $replServer
    cluster_resources = $clusterResources
}
ConvertTo-Json -InputObject $root -Depth 8 -Compress
