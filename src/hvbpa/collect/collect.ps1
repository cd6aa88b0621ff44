# hvbpa collector: ONE JSON document (hvbpa.snapshot/1), all else assigned or [void]. Read-only.
# PowerShell 4.0-7: no [type]::new(), classes, using, ternary, ??, ?., &&, ||.
Set-StrictMode -Version 2
$ProgressPreference = 'SilentlyContinue'   # else progress records arrive as CLIXML on stderr
$WarningPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'            # every section below has its own try/catch
$collectedAt = [DateTime]::UtcNow.ToString('o')
$errors = New-Object 'Collections.Generic.List[object]'
$vmOut = New-Object 'Collections.Generic.List[object]'
$byId = @{}
$hostDomain = $null                        # the node's AD domain: its cluster's

# Null-safe: StrictMode throws on a property a module version lacks.
function hvProp($o, [string]$n) {
    if ($null -eq $o) { return $null }
    $p = $o.PSObject.Properties[$n]
    if ($null -eq $p) { return $null }
    return $p.Value
}
# Enums as integers; null stays null ([int]$null is 0, a real enum value).
function hvInt($v) { if ($null -eq $v) { return $null }; return [int]$v }
# [string] strips PSObject wrappers 5.1's ConvertTo-Json would write as objects.
function hvStr($v) { if ($null -eq $v -or [string]$v -eq '') { return $null }; return [string]$v }
function hvBool($v) { if ($null -eq $v) { return $null }; return [bool]$v }
# TimeSpan -> seconds since midnight.
function hvTod($v) { if ($null -eq $v) { return $null }; return [int]$v.Hours * 3600 + [int]$v.Minutes * 60 + [int]$v.Seconds }
# ISO 8601 UTC, invariant calendar; MinValue means "never".
function hvTime($v) {
    if ($null -eq $v) { return $null }
    $d = [DateTime]$v
    if ($d -eq [DateTime]::MinValue) { return $null }
    return $d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [Globalization.CultureInfo]::InvariantCulture)
}
# Property $n of each item, as a list ([] in the JSON). foreach, not @(): PowerShell 7 fails
# @() on a generic List in a note property.
function hvList($items, [string]$n) {
    $l = New-Object 'Collections.Generic.List[object]'
    foreach ($i in $items) { $v = hvStr (hvProp $i $n); if ($null -ne $v) { [void]$l.Add($v) } }
    return , $l
}
# Drives' Paths; null if the module lacks the property (hvProp would also make [] null).
function hvPaths($o, [string]$n) {
    $p = $o.PSObject.Properties[$n]
    if ($null -eq $p) { return $null }
    return , (hvList $p.Value 'Path')
}
function hvErr([string]$section, $vmId, $message) {
    [void]$errors.Add([ordered]@{ section = $section; vm_id = (hvStr $vmId); message = [string]$message })
}
# -ErrorVariable records: one bad VM must not cost the whole host.
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
    # Harness seam off Windows (no WindowsIdentity); never defined on a host (-NoProfile).
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
$moduleListed = $false   # false: Get-Module failed, which says nothing about the module
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
    # Get-VM lists this node's VMs only: the names tell which nodes were not scanned.
    $cl = @(Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_Cluster)
    if ($cl.Count -gt 0) { $hostInfo['cluster_name'] = hvStr $cl[0].Name }
} catch {
    # Invalid namespace (0x8004100E; the message is localized) = standalone. Anything else
    # (access denied...) is recorded, not taken to mean "not a cluster".
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
                $id = [string]$vm.Id   # the VMId: the identity across hosts
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
                    checkpoints = $null
                }
                [void]$vmOut.Add($rec)
                $byId[$id] = $rec
            } catch { hvErr 'vms' (hvProp $vm 'VMId') ([string]$_) }
        }
    } catch { hvErr 'vms' $null ([string]$_); $vms = @() }
}

# ---- replication ----
# One host-wide call: every replicated VM's Simple and Extended relationships, no error for others.
if ($vms.Count -gt 0) {
    try {
        $ev = $null
        foreach ($r in @(Hyper-V\Get-VMReplication -ErrorAction SilentlyContinue -ErrorVariable ev)) {
            try {
                $rec = $byId[[string]$r.VMId]
                if ($null -eq $rec) { continue }
                $rel = [ordered]@{
                    type = (hvStr (hvProp $r 'ReplicationRelationshipType'))
                    mode = (hvInt (hvProp $r 'ReplicationMode'))
                    state = (hvInt (hvProp $r 'ReplicationState'))
                    health = (hvInt (hvProp $r 'ReplicationHealth'))
                    primary_server = (hvStr (hvProp $r 'PrimaryServerName'))
                    replica_server = (hvStr (hvProp $r 'ReplicaServerName'))
                    current_replica_server = (hvStr (hvProp $r 'CurrentReplicaServerName'))
                    # null where an older module lacks them
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
                    last_test_failover_time = $null
                }
                # Disk getters walk the VM's drives: Primary VMs only (BPA 234, 244 judge those).
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
# Last test failover (BPA 240, 241), one call for Replica-side VMs; "never" (null) is 1601.
$replicaSide = @($vms | Where-Object { @(2, 4) -contains (hvInt (hvProp $_ 'ReplicationMode')) -and $null -ne $byId[[string]$_.Id] })
if ($replicaSide.Count -gt 0) {
    try {
        $ev = $null
        foreach ($m in @(Hyper-V\Measure-VMReplication -VM $replicaSide -ErrorAction SilentlyContinue -ErrorVariable ev)) {
            $rec = $byId[[string]$m.VMId]
            $p = $m.PSObject.Properties['LastTestFailoverInitiatedTime']
            if ($null -eq $rec -or $null -eq $p) { continue }   # no property: unknown
            $when = hvTime $p.Value
            if ($null -eq $when) { $when = '1601-01-01T00:00:00Z' }
            $kind = hvStr (hvProp $m 'ReplicationRelationshipType')
            foreach ($rel in $rec['replication']['relationships']) {
                if ($null -eq $kind -or $rel['type'] -eq $kind) { $rel['last_test_failover_time'] = $when }
            }
        }
        hvErrs 'replication_statistics' $ev
    } catch { hvErr 'replication_statistics' $null ([string]$_) }
}

# ---- integration_services ----
# One bulk call; services by GUID (names are localized); no status getter (each queries WMI).
$kvpGuid = '2A34B1C2-FD73-4043-8A5B-DD2159BC743F'
$vssGuid = '5CED1297-4598-4915-A5FC-AD21BB4D02A4'
$vssRecord = @{}
$kvpRecord = @{}
$kvpObject = @{}
if ($vms.Count -gt 0) {
    try {
        $ev = $null
        foreach ($ic in @(Hyper-V\Get-VMIntegrationService -VM $vms -ErrorAction SilentlyContinue -ErrorVariable ev)) {
            try {
                $vid = [string]$ic.VMId
                $rec = $byId[$vid]
                if ($null -eq $rec) { continue }
                # Greedy: the last GUID is the service's, the first the VM's.
                if (-not ([string]$ic.Id -match '^.*([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})')) { continue }
                $guid = $Matches[1].ToUpperInvariant()
                $svc = [ordered]@{
                    guid = $guid
                    name = (hvStr $ic.Name)
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
# Guest KVP data: the best evidence of integration services (Get-VM's version is 0.0 on 2016+).
# One query; SystemName = VMId; OperationalStatus = Data Exchange status. None for an off VM.
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
                    # Cheap test first: 3 of ~15 items are worth an XML parse.
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
                if ($any) { $rec['kvp'] = $k }   # null: the guest published nothing
            } catch { hvErr 'kvp' (hvProp $c 'SystemName') ([string]$_) }
        }
    } catch { hvErr 'kvp' $null ([string]$_) }
}
if (-not $kvpRead) {
    # The status still decides verdicts: per-VM getters, on this failure path only.
    foreach ($vid in @($kvpRecord.Keys)) {
        try {
            $kvpRecord[$vid]['primary_status'] = hvInt (hvProp $kvpObject[$vid] 'PrimaryOperationalStatus')
            $kvpRecord[$vid]['secondary_status'] = hvInt (hvProp $kvpObject[$vid] 'SecondaryOperationalStatus')
        } catch { hvErr 'integration_services' $vid ([string]$_) }
    }
}

# ---- network_adapters ----
# Failover settings: two host-wide CIM queries (Get-VMNetworkAdapterFailoverConfiguration skips
# adapters without settings and names none), arrays read per family as the module reads them.
function hvIps($list, [string]$family) {
    $r = @()
    foreach ($v in @($list)) {
        $ip = $null
        if ($null -ne $v -and [Net.IPAddress]::TryParse([string]$v, [ref]$ip) -and [string]$ip.AddressFamily -eq $family) { $r += [string]$v }
    }
    return $r
}
function hvMask($list, [bool]$v6) {
    foreach ($t in @($list)) {
        $n = 0
        if ($v6 -and [int]::TryParse([string]$t, [ref]$n) -and $n -ge 0 -and $n -le 128) { return [string]$t }
        $b = ''
        foreach ($ip in @(hvIps $t 'InterNetwork')) { foreach ($x in ([Net.IPAddress]$ip).GetAddressBytes()) { $b += [Convert]::ToString([int]$x, 2).PadLeft(8, '0') } }
        if (-not $v6 -and $b -match '^1*0*$' -and $b.Length -eq 32) { return [string]$t }
    }
    return $null
}
function hvFailover($s) {
    $type = hvInt (hvProp $s 'ProtocolIFType')   # IPv4 4096, IPv6 4097, both 4098
    $v = @()
    foreach ($f in @(@('InterNetwork', 4096, $false), @('InterNetworkV6', 4097, $true))) {
        $x = @($null, $null, $null, $null, $null)
        if ($type -eq $f[1] -or $type -eq 4098) {
            $dns = @(hvIps (hvProp $s 'DNSServers') $f[0])
            $x = @(@(hvIps (hvProp $s 'IPAddresses') $f[0])[0], (hvMask (hvProp $s 'Subnets') $f[2]), @(hvIps (hvProp $s 'DefaultGateways') $f[0])[0], $dns[0], $dns[1])
        }
        $v += $x
    }
    if (@($v | Where-Object { $null -ne $_ }).Count -eq 0) { return $null }
    return [ordered]@{
        ipv4_address = $v[0]; ipv4_subnet_mask = $v[1]; ipv4_default_gateway = $v[2]; ipv4_preferred_dns = $v[3]; ipv4_alternate_dns = $v[4]
        ipv6_address = $v[5]; ipv6_prefix_length = $v[6]; ipv6_default_gateway = $v[7]; ipv6_preferred_dns = $v[8]; ipv6_alternate_dns = $v[9]
    }
}
if ($vms.Count -gt 0) {
    $asked = @{}
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
            $settings = @{}
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
# The VSS service's status (application-consistent points need it): one query, when wanted.
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
# Failed-over VMs (state 6) only, in one call.
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
# Read only. Certificates: the provider's DnsNameList (SANs, else the subject's DNS name) and
# EnhancedKeyUsageList; null if missing.
function hvDnsNames($cert) {
    $list = hvProp $cert 'DnsNameList'
    $m = $cert.PSObject.Methods['GetNameInfo']
    if ($null -eq $list -and $null -eq $m) { return $null }
    $l = hvList $list 'Unicode'
    if ($l.Count -eq 0 -and $null -ne $m) {
        $cn = hvStr ($cert.GetNameInfo([Security.Cryptography.X509Certificates.X509NameType]::DnsName, $false))
        if ($null -ne $cn) { [void]$l.Add($cn) }
    }
    return , $l
}
# BPA 238's chain: revocation offline (cached CRLs); flags RevocationStatusUnknown and
# OfflineRevocation accepted, any other fails. $HvbpaNewChain: harness seam (as
# $HvbpaCallerRoles): the chain for a certificate, or nothing (null); never on a host.
function hvChainValid($cert) {
    $make = $ExecutionContext.SessionState.PSVariable.GetValue('HvbpaNewChain')
    if ($null -ne $make) { $chain = & $make $cert } else { $chain = New-Object Security.Cryptography.X509Certificates.X509Chain }
    if ($null -eq $chain) { return $null }
    $chain.ChainPolicy.RevocationMode = [Security.Cryptography.X509Certificates.X509RevocationMode]::Offline
    if ($chain.Build($cert)) { return $true }
    foreach ($st in @($chain.ChainStatus)) {
        foreach ($f in ([string]$st.Status).Split(',')) {
            if (@('NoError', 'RevocationStatusUnknown', 'OfflineRevocation') -notcontains $f.Trim()) { return $false }
        }
    }
    return $true
}
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
        $e = hvProp $cert 'EnhancedKeyUsageList'
        if ($null -ne $e) { $c['enhanced_key_usages'] = hvList $e 'ObjectId' }
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
            broker_certificate = $null
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
# WMI, not FailoverClusters (often missing); Type is not localized. Broker's access point: the
# Network Name at either end of a dependency with it, DnsName + our domain.
$brokerType = 'Virtual Machine Replication Broker'
# CLUSTER_RESOURCE_STATE 0-4 and 128-130, by name.
$stNames = @('Inherited', 'Initializing', 'Online', 'Offline', 'Failed', 'Pending', 'OnlinePending', 'OfflinePending')
$clusterResources = $null
$brokerThumb = ''
if ($null -ne $hostInfo['cluster_name']) {
    try {
        $found = @()
        $byName = @{}
        foreach ($res in @(Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_Resource -Property Name, Type, State, PrivateProperties)) {
            $type = hvStr $res.Type
            if ($null -eq $type) { continue }
            $st = hvInt $res.State
            $stName = hvStr $res.State
            if ($st -ge 0 -and $st -le 4) { $stName = $stNames[$st] } elseif ($st -ge 128 -and $st -le 130) { $stName = $stNames[$st - 123] }
            $r = [ordered]@{ name = [string]$res.Name; type = $type; state = $stName; recovery_server_enabled = $null; certificate_thumbprint = $null; client_access_point = $null }
            if ($type -eq $brokerType) {
                $pp = hvProp $res 'PrivateProperties'
                $on = hvProp $pp 'RecoveryServerEnabled'
                if ($null -ne $on) { $r['recovery_server_enabled'] = [bool][int]$on }
                $r['certificate_thumbprint'] = hvStr (hvProp $pp 'CertificateThumbprint')
                if ($brokerThumb -eq '') { $brokerThumb = hvThumb $r['certificate_thumbprint'] }
            }
            $byName[$r['name']] = @($r, $res)
            $found += , $r
        }
        $clusterResources = $found
        if (@($found | Where-Object { $_['type'] -eq $brokerType }).Count -gt 0) {
            foreach ($link in @(Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_ResourceToDependentResource)) {
                $ends = @([string](hvProp (hvProp $link 'Antecedent') 'Name'), [string](hvProp (hvProp $link 'Dependent') 'Name'))
                for ($i = 0; $i -lt 2; $i++) {
                    $b = $byName[$ends[$i]]
                    $nn = $byName[$ends[1 - $i]]
                    if ($null -eq $b -or $null -eq $nn -or $b[0]['type'] -ne $brokerType -or $nn[0]['type'] -ne 'Network Name') { continue }
                    $dns = hvStr (hvProp (hvProp $nn[1] 'PrivateProperties') 'DnsName')
                    if ($null -eq $dns) { $dns = $nn[0]['name'] }
                    if ($null -ne $hostDomain) { $dns += '.' + $hostDomain }
                    $b[0]['client_access_point'] = $dns
                }
            }
        }
    } catch { hvErr 'cluster_resources' $null ([string]$_) }
}
# BPA 238: the broker's certificate must be in this node's store too.
if ($null -ne $replServer -and $brokerThumb -ne '') {
    try { $replServer['broker_certificate'] = hvCert $brokerThumb } catch { hvErr 'certificate' $null ([string]$_) }
}

# ---- qos_policies ----
# BPA 235. Without NetQos: an error and null, never [] ("nothing is throttled").
$qos = $null
if ($canCollect) {
    try {
        $l = New-Object 'Collections.Generic.List[object]'
        foreach ($q in @(NetQos\Get-NetQosPolicy)) {
            $rate = hvProp $q 'ThrottleRateActionBitsPerSecond'
            $bytes = hvProp $q 'ThrottleRateActionBytesPerSecond'   # Windows Server 2012's name
            if ($null -ne $rate) { $rate = [long]$rate } elseif ($null -ne $bytes) { $rate = [long]$bytes * 8 }
            [void]$l.Add([ordered]@{
                name = [string]$q.Name; throttle_bits_per_second = $rate
                dst_port_start = (hvInt (hvProp $q 'IPDstPortStartMatchCondition')); dst_port_end = (hvInt (hvProp $q 'IPDstPortEndMatchCondition'))
            })
        }
        $qos = $l
    } catch [Management.Automation.CommandNotFoundException] {
        hvErr 'qos_policies' $null 'NetQos PowerShell module not installed; no QoS policies read.'
    } catch { hvErr 'qos_policies' $null ([string]$_) }
}

# ---- output: the only statement that writes ----
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
