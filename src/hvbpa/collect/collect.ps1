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
$hostDomain = $null                        # the node's AD domain, which is its cluster's

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
# The Path of each drive in a list property (HardDiskDrive objects), as a list that stays a
# list in the JSON even when empty; null when the module has no such property. The property is
# read through PSObject.Properties: a function returning an empty list would hand back $null.
function hvPaths($o, [string]$n) {
    $p = $o.PSObject.Properties[$n]
    if ($null -eq $p) { return $null }
    $paths = New-Object 'Collections.Generic.List[object]'
    # foreach on the list itself: @() of a generic List in a note property fails in PowerShell 7
    # ("Argument types do not match").
    foreach ($d in $p.Value) {
        if ($null -eq $d) { continue }
        $path = hvStr (hvProp $d 'Path')
        if ($null -ne $path) { [void]$paths.Add($path) }
    }
    return , $paths
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
        if ($cs.PartOfDomain) {
            $hostDomain = hvStr $cs.Domain
            $hostInfo['fqdn'] = $dns + '.' + [string]$cs.Domain
        }
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
                $rel = [ordered]@{
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
                    replica_port = (hvInt (hvProp $r 'ReplicaServerPort'))
                    recovery_history = (hvInt (hvProp $r 'RecoveryHistory'))
                    replicated_disks = $null
                    excluded_disks = $null
                    last_test_failover_time = $null   # from Measure-VMReplication below
                }
                # The disk lists are getters that walk the VM's drives on the host: read them
                # for Primary VMs only, the ones the disk rules (BPA 234, 244) judge.
                if ($rec['replication']['mode'] -eq 1) {
                    $rel['replicated_disks'] = hvPaths $r 'ReplicatedDisks'
                    $rel['excluded_disks'] = hvPaths $r 'ExcludedDisks'
                }
                [void]$rec['replication']['relationships'].Add($rel)
            } catch { hvErr 'replication' (hvProp $r 'VMId') ([string]$_) }
        }
        hvErrs 'replication' $ev
    } catch { hvErr 'replication' $null ([string]$_) }
}

# ---- replication_statistics ----
# The last test failover is a replication statistic (Msvm_ReplicationStatistics.LastTestFailoverTime),
# which Measure-VMReplication reports as LastTestFailoverInitiatedTime: one call for the VMs on
# the Replica side (Replica, Extended Replica), where test failovers run (BPA 240, 241). The module
# turns the FILETIME zero ("never") into null; the snapshot writes it back as 1601-01-01.
$neverTested = '1601-01-01T00:00:00Z'
$replicaSide = @($vms | Where-Object { @(2, 4) -contains (hvInt (hvProp $_ 'ReplicationMode')) -and $null -ne $byId[[string]$_.Id] })
$relCount = 0
foreach ($vm in $replicaSide) { $relCount += $byId[[string]$vm.Id]['replication']['relationships'].Count }
if ($relCount -gt 0) {
    try {
        $ev = $null
        foreach ($m in @(Hyper-V\Measure-VMReplication -VM $replicaSide -ErrorAction SilentlyContinue -ErrorVariable ev)) {
            $rec = $byId[[string]$m.VMId]
            if ($null -eq $rec) { continue }
            $p = $m.PSObject.Properties['LastTestFailoverInitiatedTime']
            if ($null -eq $p) { continue }   # a module without it: left null, not "never"
            $when = hvTime $p.Value
            if ($null -eq $when) { $when = $neverTested }
            $kind = hvStr (hvProp $m 'ReplicationRelationshipType')
            foreach ($rel in $rec['replication']['relationships']) {
                if ($rel['type'] -eq $kind -or $null -eq $kind) { $rel['last_test_failover_time'] = $when }
            }
        }
        hvErrs 'replication_statistics' $ev
    } catch { hvErr 'replication_statistics' $null ([string]$_) }
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
# Adapters in one bulk call. Failover settings in two host-wide CIM queries, for the synthetic
# adapters of Primary/Replica/ExtendedReplica VMs (the only ones that have them). Not
# Get-VMNetworkAdapterFailoverConfiguration: it writes nothing for an adapter without settings
# and its output does not name the adapter, so its answers cannot be paired with adapters, and
# asking one adapter at a time costs a call per adapter. The association
# Msvm_EthernetPortFailoverSettingDataComponent ties each Msvm_FailoverNetworkAdapterSettingData
# (PartComponent) to its adapter's port setting (GroupComponent), whose InstanceID is the
# adapter's Id. The arrays are read into the module's ten properties as the module does
# (VMNetworkAdapterFailoverSetting): first valid address, mask, gateway of each family; the
# first two DNS servers of each family.
# failover is null when no address is set or the VM is not replicated.
function hvIp($list, [string]$family) {
    foreach ($v in @($list)) {
        $ip = $null
        if ($null -ne $v -and [Net.IPAddress]::TryParse([string]$v, [ref]$ip) -and [string]$ip.AddressFamily -eq $family) { return [string]$v }
    }
    return $null
}
function hvIps($list, [string]$family) {
    $found = @()
    foreach ($v in @($list)) {
        $ip = $null
        if ($null -ne $v -and [Net.IPAddress]::TryParse([string]$v, [ref]$ip) -and [string]$ip.AddressFamily -eq $family) { $found += [string]$v }
    }
    return $found
}
function hvMask($list, [bool]$v6) {
    foreach ($v in @($list)) {
        if ($null -eq $v) { continue }
        $t = [string]$v
        if ($v6) {
            $n = 0
            if ([int]::TryParse($t, [ref]$n) -and $n -ge 0 -and $n -le 128) { return $t }
            continue
        }
        $ip = $null
        if (-not ([Net.IPAddress]::TryParse($t, [ref]$ip) -and [string]$ip.AddressFamily -eq 'InterNetwork')) { continue }
        # A mask is ones then zeros: its bits read as a string must not hold "01".
        $bits = ''
        foreach ($b in $ip.GetAddressBytes()) { $bits += [Convert]::ToString([int]$b, 2).PadLeft(8, '0') }
        if ($bits -notmatch '01') { return $t }
    }
    return $null
}
function hvFailover($s) {
    $type = hvInt (hvProp $s 'ProtocolIFType')   # IPv4 4096, IPv6 4097, both 4098
    $v4 = ($type -eq 4096 -or $type -eq 4098)
    $v6 = ($type -eq 4097 -or $type -eq 4098)
    $addresses = hvProp $s 'IPAddresses'
    $subnets = hvProp $s 'Subnets'
    $gateways = hvProp $s 'DefaultGateways'
    $dns4 = @(hvIps (hvProp $s 'DNSServers') 'InterNetwork')
    $dns6 = @(hvIps (hvProp $s 'DNSServers') 'InterNetworkV6')
    $o = [ordered]@{
        ipv4_address = $null; ipv4_subnet_mask = $null; ipv4_default_gateway = $null
        ipv4_preferred_dns = $null; ipv4_alternate_dns = $null
        ipv6_address = $null; ipv6_prefix_length = $null; ipv6_default_gateway = $null
        ipv6_preferred_dns = $null; ipv6_alternate_dns = $null
    }
    if ($v4) {
        $o['ipv4_address'] = hvIp $addresses 'InterNetwork'
        $o['ipv4_subnet_mask'] = hvMask $subnets $false
        $o['ipv4_default_gateway'] = hvIp $gateways 'InterNetwork'
        if ($dns4.Count -gt 0) { $o['ipv4_preferred_dns'] = $dns4[0] }
        if ($dns4.Count -gt 1) { $o['ipv4_alternate_dns'] = $dns4[1] }
    }
    if ($v6) {
        $o['ipv6_address'] = hvIp $addresses 'InterNetworkV6'
        $o['ipv6_prefix_length'] = hvMask $subnets $true
        $o['ipv6_default_gateway'] = hvIp $gateways 'InterNetworkV6'
        if ($dns6.Count -gt 0) { $o['ipv6_preferred_dns'] = $dns6[0] }
        if ($dns6.Count -gt 1) { $o['ipv6_alternate_dns'] = $dns6[1] }
    }
    foreach ($v in $o.Values) { if ($null -ne $v) { return $o } }
    return $null
}
if ($vms.Count -gt 0) {
    $asked = @{}   # adapter Id -> its record, for the adapters whose failover settings to read
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
            if ((@(1, 2, 4) -contains $rec['replication']['mode']) -and -not (hvProp $a 'IsLegacy') -and $null -ne $ad['id']) {
                $asked[$ad['id']] = $ad
            }
        }
        hvErrs 'network_adapters' $ev
    } catch { hvErr 'network_adapters' $null ([string]$_) }
    if ($asked.Count -gt 0) {
        try {
            $settings = @{}   # failover setting InstanceID -> the setting
            foreach ($f in @(Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_FailoverNetworkAdapterSettingData)) {
                $fid = hvStr (hvProp $f 'InstanceID')
                if ($null -ne $fid) { $settings[$fid] = $f }
            }
            foreach ($link in @(Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_EthernetPortFailoverSettingDataComponent)) {
                $ad = $asked[[string](hvProp (hvProp $link 'GroupComponent') 'InstanceID')]
                $f = $settings[[string](hvProp (hvProp $link 'PartComponent') 'InstanceID')]
                if ($null -ne $ad -and $null -ne $f) { $ad['failover'] = hvFailover $f }
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
# certificate's store entry. Read only: nothing on the host or in its stores is changed.
$noQosMessage = 'NetQos PowerShell module not installed; no QoS policies read.'

# What is read from a certificate: the PowerShell certificate provider's DnsNameList (subject
# alternative names, else the subject's DNS name) and EnhancedKeyUsageList (each EKU's ObjectId),
# falling back to X509Certificate2 itself where an older PowerShell lacks those properties.
function hvDnsNames($cert) {
    $list = hvProp $cert 'DnsNameList'
    $m = $cert.PSObject.Methods['GetNameInfo']
    if ($null -eq $list -and $null -eq $m) { return $null }
    $names = New-Object 'Collections.Generic.List[object]'
    if ($null -ne $list) {
        foreach ($n in $list) {
            if ($null -eq $n) { continue }
            $u = hvStr (hvProp $n 'Unicode')
            if ($null -eq $u) { $u = hvStr $n }
            if ($null -ne $u) { [void]$names.Add($u) }
        }
    }
    if ($names.Count -eq 0 -and $null -ne $m) {
        $cn = hvStr ($cert.GetNameInfo([Security.Cryptography.X509Certificates.X509NameType]::DnsName, $false))
        if ($null -ne $cn) { [void]$names.Add($cn) }
    }
    return , $names
}
function hvEkus($cert) {
    $usages = New-Object 'Collections.Generic.List[object]'
    $p = $cert.PSObject.Properties['EnhancedKeyUsageList']
    if ($null -ne $p -and $null -ne $p.Value) {
        foreach ($e in $p.Value) {
            $oid = hvStr (hvProp $e 'ObjectId')
            if ($null -ne $oid) { [void]$usages.Add($oid) }
        }
        return , $usages
    }
    $x = $cert.PSObject.Properties['Extensions']
    if ($null -eq $x) { return $null }
    foreach ($e in $x.Value) {
        if ([string](hvProp (hvProp $e 'Oid') 'Value') -ne '2.5.29.37') { continue }
        foreach ($o in @(hvProp $e 'EnhancedKeyUsages')) { if ($null -ne $o) { [void]$usages.Add([string]$o.Value) } }
    }
    return , $usages
}
# The chain as BPA 238 builds it: revocation checked against the host's cached CRLs only
# (Offline). X509ChainStatusFlags RevocationStatusUnknown and OfflineRevocation are what an
# offline check reports when no CRL is cached, and are accepted; any other flag (NotTimeValid,
# UntrustedRoot, PartialChain, Revoked, NotSignatureValid, ...) makes the chain invalid.
# Seam for hvbpa's test harness and lab (as $HvbpaCallerRoles above): $HvbpaNewChain, a script
# block given the certificate, returning the chain object to use; nothing defines it on a host. When it returns
# nothing, no chain is built and chain_valid stays null.
function hvChainValid($cert) {
    $make = $ExecutionContext.SessionState.PSVariable.GetValue('HvbpaNewChain')
    if ($null -ne $make) { $chain = & $make $cert } else { $chain = New-Object Security.Cryptography.X509Certificates.X509Chain }
    if ($null -eq $chain) { return $null }
    $chain.ChainPolicy.RevocationMode = [Security.Cryptography.X509Certificates.X509RevocationMode]::Offline
    # .NET 5+ can be told not to fetch missing issuers; .NET Framework cannot (see the docs).
    if ($null -ne $chain.ChainPolicy.PSObject.Properties['DisableCertificateDownloads']) { $chain.ChainPolicy.DisableCertificateDownloads = $true }
    if ($chain.Build($cert)) { return $true }
    foreach ($st in @($chain.ChainStatus)) {
        if ($null -eq $st) { continue }
        foreach ($flag in ([string]$st.Status).Split(',')) {
            if (@('NoError', 'RevocationStatusUnknown', 'OfflineRevocation') -notcontains $flag.Trim()) { return $false }
        }
    }
    return $true
}
# One store entry, LocalMachine\My\<thumbprint>: found or not, and what the rules match on it.
function hvCert([string]$thumb) {
    $c = [ordered]@{
        thumbprint = $thumb; found = $false; subject = $null; not_after = $null; has_private_key = $null
        dns_names = $null; enhanced_key_usages = $null; chain_valid = $null
    }
    $cert = Get-Item -LiteralPath ('Cert:\LocalMachine\My\' + $thumb) -ErrorAction SilentlyContinue
    if ($null -ne $cert) {
        $c['found'] = $true
        $c['subject'] = hvStr $cert.Subject
        $c['not_after'] = hvTime $cert.NotAfter
        $c['has_private_key'] = hvBool $cert.HasPrivateKey
        $c['dns_names'] = hvDnsNames $cert
        $c['enhanced_key_usages'] = hvEkus $cert
        $c['chain_valid'] = hvChainValid $cert
    }
    return $c
}
# A pasted thumbprint can carry spaces or an invisible mark; the store path needs hex only.
function hvThumb($t) { return ([string]$t -replace '[^0-9A-Fa-f]', '') }

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
            broker_certificate = $null   # read below, once the cluster's broker is known
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
    $thumb = hvThumb $replServer['certificate_thumbprint']
    if ($thumb -ne '') {
        try { $replServer['certificate'] = hvCert $thumb } catch { hvErr 'certificate' $null ([string]$_) }
    }
}

# ---- cluster_resources ----
# Cluster nodes only. The WMI provider, not the FailoverClusters module (often not installed):
# the resource Type is the type's name (not localized, unlike the resources' own names). The
# Replica Broker's private properties come in the same query (PrivateProperties); its client
# access point is the Network Name resource it depends on (MSCluster_ResourceToDependentResource,
# one more query, only where a broker exists), whose DnsName is qualified with this node's
# domain, which is the cluster's.
$brokerType = 'Virtual Machine Replication Broker'
$clusterResources = $null
$brokerThumb = ''
if ($null -ne $hostInfo['cluster_name']) {
    try {
        $found = @()
        $brokers = @()
        $byName = @{}   # resource name -> [record, CIM instance]
        foreach ($res in @(Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_Resource -Property Name, Type, State, PrivateProperties)) {
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
            $r = [ordered]@{
                name = [string]$res.Name; type = $type; state = $stName
                recovery_server_enabled = $null; certificate_thumbprint = $null; client_access_point = $null
            }
            if ($type -eq $brokerType) {
                $pp = hvProp $res 'PrivateProperties'
                $enabled = hvProp $pp 'RecoveryServerEnabled'   # a DWORD: 0 or 1
                if ($null -ne $enabled) { $r['recovery_server_enabled'] = [bool][int]$enabled }
                $r['certificate_thumbprint'] = hvStr (hvProp $pp 'CertificateThumbprint')
                $brokers += , $r
                if ($brokerThumb -eq '') { $brokerThumb = hvThumb $r['certificate_thumbprint'] }
            }
            $byName[$r['name']] = @($r, $res)
            $found += , $r
        }
        $clusterResources = $found
        if ($brokers.Count -gt 0) {
            foreach ($link in @(Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_ResourceToDependentResource)) {
                $ends = @([string](hvProp (hvProp $link 'Antecedent') 'Name'), [string](hvProp (hvProp $link 'Dependent') 'Name'))
                # Which end is which is not relied on: the broker at one end, its name at the other.
                for ($i = 0; $i -lt 2; $i++) {
                    $b = $byName[$ends[$i]]
                    $n = $byName[$ends[1 - $i]]
                    if ($null -eq $b -or $null -eq $n -or $b[0]['type'] -ne $brokerType -or $n[0]['type'] -ne 'Network Name') { continue }
                    $dnsName = hvStr (hvProp (hvProp $n[1] 'PrivateProperties') 'DnsName')
                    if ($null -eq $dnsName) { $dnsName = $n[0]['name'] }
                    if ($null -ne $hostDomain) { $dnsName = $dnsName + '.' + $hostDomain }
                    $b[0]['client_access_point'] = $dnsName
                }
            }
        }
    } catch { hvErr 'cluster_resources' $null ([string]$_) }
}
# The broker's certificate must be in this node's store too (BPA 238): same lookup, its thumbprint.
if ($null -ne $replServer -and $brokerThumb -ne '') {
    try { $replServer['broker_certificate'] = hvCert $brokerThumb } catch { hvErr 'certificate' $null ([string]$_) }
}

# ---- qos_policies ----
# Host-wide (BPA 235: is traffic to the Replica ports throttled?). NetQos may be missing (Server
# Core without it, client SKUs): that is recorded as an error and leaves the section null,
# never an empty list, which would mean "no policy throttles anything".
$qos = $null
if ($canCollect) {
    try {
        $policies = New-Object 'Collections.Generic.List[object]'
        foreach ($q in @(NetQos\Get-NetQosPolicy)) {
            $rate = hvProp $q 'ThrottleRateActionBitsPerSecond'
            if ($null -ne $rate) { $rate = [long]$rate }   # UInt64: 10 Gbit/s does not fit an int
            else {
                # Windows Server 2012's NetQos named the rate in bytes.
                $bytes = hvProp $q 'ThrottleRateActionBytesPerSecond'
                if ($null -ne $bytes) { $rate = [long]$bytes * 8 }
            }
            [void]$policies.Add([ordered]@{
                name = [string]$q.Name
                throttle_bits_per_second = $rate
                dst_port_start = (hvInt (hvProp $q 'IPDstPortStartMatchCondition'))
                dst_port_end = (hvInt (hvProp $q 'IPDstPortEndMatchCondition'))
            })
        }
        $qos = $policies
    } catch [Management.Automation.CommandNotFoundException] {
        hvErr 'qos_policies' $null $noQosMessage
    } catch { hvErr 'qos_policies' $null ([string]$_) }
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
    qos_policies = $qos
}
ConvertTo-Json -InputObject $root -Depth 8 -Compress
