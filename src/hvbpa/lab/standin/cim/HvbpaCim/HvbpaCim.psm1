# Stand-in for Get-CimInstance: the classes collect.ps1 reads, from $global:HvbpaStandIn.
# A namespace the host lacks fails as WMI does (HRESULT 0x8004100e, "Invalid namespace").
. (Join-Path $PSScriptRoot '../../common.ps1')

function hvsCimError($cmdlet, [string]$message, [string]$hresult, [string]$category, $target) {
    $rec = hvsRecord $message "HRESULT $hresult,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand" $category $target
    hvsFail $cmdlet $rec
}

function hvsKvpItem([string]$name, [string]$data) {
    # One GuestIntrinsicExchangeItems entry: an embedded Msvm_KvpExchangeDataItem as XML.
    return '<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem">' +
        '<PROPERTY NAME="Caption" PROPAGATED="true" TYPE="string"></PROPERTY>' +
        '<PROPERTY NAME="Data" TYPE="string"><VALUE>' + [Security.SecurityElement]::Escape($data) + '</VALUE></PROPERTY>' +
        '<PROPERTY NAME="Description" PROPAGATED="true" TYPE="string"></PROPERTY>' +
        '<PROPERTY NAME="ElementName" PROPAGATED="true" TYPE="string"></PROPERTY>' +
        '<PROPERTY NAME="Name" TYPE="string"><VALUE>' + [Security.SecurityElement]::Escape($name) + '</VALUE></PROPERTY>' +
        '<PROPERTY NAME="Source" TYPE="uint16"><VALUE>2</VALUE></PROPERTY></INSTANCE>'
}

function hvsCim([string]$className, $properties) {
    $o = New-Object PSObject -Property $properties
    $o.PSObject.TypeNames.Insert(0, 'Microsoft.Management.Infrastructure.CimInstance#' + $className)
    return $o
}

# A VM that is off has no integration components: Msvm_KvpExchangeComponent and Msvm_VssComponent
# (logical devices of the running VM) have no instance for it.
function hvsIsOff($d) { return @(3, 32786) -contains [int]$d.state }

# Failover settings as Hyper-V stores them (Msvm_FailoverNetworkAdapterSettingData), written the
# way the module's Set-VMNetworkAdapterFailoverConfiguration writes them: both families in one
# instance (ProtocolIFType 4098) or one (IPv4 4096, IPv6 4097), non-empty gateways and DNS servers.
function hvsFailoverSetting($d, $a) {
    $f = $a.failover
    $get = { param($k) $p = $f.PSObject.Properties[$k]; if ($null -eq $p -or $null -eq $p.Value -or [string]$p.Value -eq '') { $null } else { [string]$p.Value } }
    $v4 = & $get 'ipv4_address'
    $v6 = & $get 'ipv6_address'
    $type = 0
    $addresses = @(); $subnets = @()
    if ($null -ne $v4 -and $null -ne $v6) {
        $type = 4098; $addresses = @($v4, $v6); $subnets = @((& $get 'ipv4_subnet_mask'), (& $get 'ipv6_prefix_length'))
    } elseif ($null -ne $v4) {
        $type = 4096; $addresses = @($v4); $subnets = @(& $get 'ipv4_subnet_mask')
    } elseif ($null -ne $v6) {
        $type = 4097; $addresses = @($v6); $subnets = @(& $get 'ipv6_prefix_length')
    }
    $gateways = @((& $get 'ipv4_default_gateway'), (& $get 'ipv6_default_gateway') | Where-Object { $null -ne $_ })
    $dns = @((& $get 'ipv4_preferred_dns'), (& $get 'ipv4_alternate_dns'), (& $get 'ipv6_preferred_dns'), (& $get 'ipv6_alternate_dns') | Where-Object { $null -ne $_ })
    return hvsCim 'Msvm_FailoverNetworkAdapterSettingData' ([ordered]@{
        InstanceID = 'Microsoft:FailoverNetworkSetting\' + ([string]$d.id).ToUpperInvariant() + '\' + (hvsAdapterKey $a)
        ProtocolIFType = [uint16]$type
        DHCPEnabled = ($null -eq $v4)
        IPAddresses = [string[]]$addresses
        Subnets = [string[]]$subnets
        DefaultGateways = [string[]]$gateways
        DNSServers = [string[]]$dns
    })
}
function hvsAdapterKey($a) { return ([string]$a.id -split '\\')[-1] }

# The adapters that hold failover settings: synthetic adapters (with an Id) that have a failover
# description. An adapter described with failover null has no instance, as on a host.
function hvsFailoverAdapters($h) {
    foreach ($d in @($h.vms)) {
        foreach ($a in @($d.network_adapters)) {
            if ($null -eq $a -or $null -eq $a.failover -or $null -eq $a.id) { continue }
            $legacy = $a.PSObject.Properties['legacy']
            if ($null -ne $legacy -and $legacy.Value) { continue }
            , @($d, $a)
        }
    }
}

# A reference to another instance, as an association carries it: only the key properties.
function hvsRef([string]$className, $keys) { return hvsCim $className $keys }

$script:kvpGuid = '2A34B1C2-FD73-4043-8A5B-DD2159BC743F'
$script:vssGuid = '5CED1297-4598-4915-A5FC-AD21BB4D02A4'

# The cluster's resources: the description's, each broker with its private properties
# (RecoveryServerEnabled a DWORD, CertificateThumbprint), and for a broker with a client access
# point the Network Name resource it depends on (DnsName: the point's first label), unless the
# description lists that resource itself.
function hvsClusterResources($h) {
    # CLUSTER_RESOURCE_STATE by number; the description holds the names the script prints.
    $states = @{ Inherited = 0; Initializing = 1; Online = 2; Offline = 3; Failed = 4; Pending = 128; OnlinePending = 129; OfflinePending = 130 }
    $listed = @{}
    foreach ($r in @($h.cluster_resources)) { if ($null -ne $r) { $listed[[string]$r.name] = $r } }
    foreach ($r in @($h.cluster_resources)) {
        if ($null -eq $r) { continue }
        $state = $null
        if ($null -ne $r.state) {
            if ($states.ContainsKey([string]$r.state)) { $state = [uint32]$states[[string]$r.state] } else { $state = [uint32][string]$r.state }
        }
        $private = [ordered]@{}
        $cap = $null
        if ([string]$r.type -eq 'Virtual Machine Replication Broker') {
            $enabled = hvsGet $r 'recovery_server_enabled'
            if ($null -ne $enabled) { $private.RecoveryServerEnabled = [uint32][int][bool]$enabled }
            $thumb = hvsGet $r 'certificate_thumbprint'
            if ($null -ne $thumb) { $private.CertificateThumbprint = [string]$thumb }
            $cap = hvsGet $r 'client_access_point'
        }
        $o = hvsCim 'MSCluster_Resource' ([ordered]@{
            Name = [string]$r.name; Type = [string]$r.type; State = $state
            PrivateProperties = (hvsCim 'MSCluster_Property' $private)
        })
        $o
        if ($null -ne $cap) {
            $label = ([string]$cap).Split('.')[0]
            Add-Member -InputObject $o -MemberType NoteProperty -Name HvbpaStandInDependsOn -Value $label
            if (-not $listed.ContainsKey($label)) {
                $listed[$label] = $true
                hvsCim 'MSCluster_Resource' ([ordered]@{
                    Name = $label; Type = 'Network Name'; State = [uint32]2
                    PrivateProperties = (hvsCim 'MSCluster_Property' ([ordered]@{ Name = $label; DnsName = $label }))
                })
            }
        }
    }
}

function hvsGet($o, [string]$name) {
    $p = $o.PSObject.Properties[$name]
    if ($null -eq $p) { return $null }
    return $p.Value
}

function Get-CimInstance {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0)][string]$ClassName,
        [string]$Namespace = 'root\cimv2',
        [string[]]$Property,
        [string]$Filter
    )
    $clock = hvsCount ('Get-CimInstance ' + $ClassName)
    hvsNoise 'Get-CimInstance'
    $h = hvsHost
    $denied = hvsFault 'denied' $ClassName
    if ($null -ne $denied) {
        hvsCimError $PSCmdlet $denied '0x80041003' 'PermissionDenied' $ClassName
        return
    }
    $ns = $Namespace.ToLowerInvariant().Replace('/', '\')
    if ($null -ne $h.faults) {
        foreach ($gone in @($h.faults.missing_namespaces)) {
            if ($null -ne $gone -and ([string]$gone).ToLowerInvariant() -eq $ns) {
                hvsCimError $PSCmdlet 'Invalid namespace ' '0x8004100e' 'MetadataError' $Namespace
                hvsSpent $clock
                return
            }
        }
    }
    switch ($ClassName) {
        'Win32_OperatingSystem' {
            hvsCim $ClassName ([ordered]@{ Caption = $h.os.Caption; BuildNumber = $h.os.BuildNumber; Version = $h.os.Version })
        }
        'Win32_ComputerSystem' {
            hvsCim $ClassName ([ordered]@{
                Name = ([string]$h.computer.DNSHostName).ToUpperInvariant()
                DNSHostName = $h.computer.DNSHostName
                Domain = $h.computer.Domain
                PartOfDomain = [bool]$h.computer.PartOfDomain
            })
        }
        { $_ -like 'MSCluster_*' } {
            if ($ns -ne 'root\mscluster' -or $null -eq $h.cluster) {
                hvsCimError $PSCmdlet 'Invalid namespace ' '0x8004100e' 'MetadataError' $Namespace
                return
            }
            if ($null -ne $h.faults -and $null -ne $h.faults.cluster) {
                hvsCimError $PSCmdlet $h.faults.cluster '0x80041003' 'PermissionDenied' $ClassName
                return
            }
            if ($ClassName -eq 'MSCluster_Cluster') { hvsCim $ClassName ([ordered]@{ Name = $h.cluster.name }) }
            elseif ($ClassName -eq 'MSCluster_Node') {
                foreach ($n in @($h.cluster.nodes)) { hvsCim $ClassName ([ordered]@{ Name = $n; State = 0 }) }
            }
            elseif ($ClassName -eq 'MSCluster_Resource') {
                foreach ($r in @(hvsClusterResources $h)) { $r }
            }
            elseif ($ClassName -eq 'MSCluster_ResourceToDependentResource') {
                # CIM_Dependency: the Dependent (the broker) depends on the Antecedent (its name).
                foreach ($r in @(hvsClusterResources $h)) {
                    $on = $r.PSObject.Properties['HvbpaStandInDependsOn']
                    if ($null -eq $on -or $null -eq $on.Value) { continue }
                    hvsCim $ClassName ([ordered]@{
                        Antecedent = (hvsRef 'MSCluster_Resource' ([ordered]@{ Name = [string]$on.Value }))
                        Dependent = (hvsRef 'MSCluster_Resource' ([ordered]@{ Name = $r.Name }))
                    })
                }
            }
            else { hvsCimError $PSCmdlet 'Invalid class ' '0x80041010' 'MetadataError' $ClassName }
        }
        'Msvm_VssComponent' {
            if ($ns -ne 'root\virtualization\v2' -or -not $h.module) {
                hvsCimError $PSCmdlet 'Invalid namespace ' '0x8004100e' 'MetadataError' $Namespace
                return
            }
            foreach ($d in @($h.vms)) {
                if (hvsIsOff $d) { continue }
                foreach ($s in @($d.integration_services)) {
                    if ($null -eq $s -or ([string]$s.guid).ToUpperInvariant() -ne $script:vssGuid) { continue }
                    $status = New-Object 'Collections.Generic.List[uint16]'
                    if ($null -ne $s.primary_status) { [void]$status.Add([uint16]$s.primary_status) }
                    if ($null -ne $s.secondary_status) { [void]$status.Add([uint16]$s.secondary_status) }
                    $enabled = 2
                    if (-not $s.enabled) { $enabled = 3 }
                    hvsCim $ClassName ([ordered]@{
                        SystemName = ([string]$d.id).ToUpperInvariant()
                        Name = 'VSS'
                        EnabledState = [uint16]$enabled
                        OperationalStatus = $status.ToArray()
                    })
                }
            }
        }
        'Msvm_KvpExchangeComponent' {
            if ($ns -ne 'root\virtualization\v2' -or -not $h.module) {
                hvsCimError $PSCmdlet 'Invalid namespace ' '0x8004100e' 'MetadataError' $Namespace
                return
            }
            foreach ($d in @($h.vms)) {
                if (hvsIsOff $d) { continue }
                $kvp = $null
                foreach ($s in @($d.integration_services)) {
                    if ($null -ne $s -and ([string]$s.guid).ToUpperInvariant() -eq $script:kvpGuid) { $kvp = $s }
                }
                if ($null -eq $kvp) { continue }
                $status = New-Object 'Collections.Generic.List[uint16]'
                if ($null -ne $kvp.primary_status) { [void]$status.Add([uint16]$kvp.primary_status) }
                if ($null -ne $kvp.secondary_status) { [void]$status.Add([uint16]$kvp.secondary_status) }
                $items = New-Object 'Collections.Generic.List[string]'
                if ($null -ne $d.kvp) {
                    # A guest publishes more than the script reads; the extra items are realistic noise.
                    [void]$items.Add((hvsKvpItem 'FullyQualifiedDomainName' ([string]$d.name + '.guest.example')))
                    [void]$items.Add((hvsKvpItem 'ProcessorArchitecture' '9'))
                    if ($null -ne $d.kvp.integration_services_version) { [void]$items.Add((hvsKvpItem 'IntegrationServicesVersion' $d.kvp.integration_services_version)) }
                    if ($null -ne $d.kvp.os_name) { [void]$items.Add((hvsKvpItem 'OSName' $d.kvp.os_name)) }
                    if ($null -ne $d.kvp.os_version) { [void]$items.Add((hvsKvpItem 'OSVersion' $d.kvp.os_version)) }
                }
                $enabled = 2
                if (-not $kvp.enabled) { $enabled = 3 }
                hvsCim $ClassName ([ordered]@{
                    SystemName = ([string]$d.id).ToUpperInvariant()
                    Name = $script:kvpGuid
                    EnabledState = [uint16]$enabled
                    OperationalStatus = $status.ToArray()
                    GuestIntrinsicExchangeItems = $items.ToArray()
                })
            }
        }
        { @('Msvm_FailoverNetworkAdapterSettingData', 'Msvm_EthernetPortFailoverSettingDataComponent') -contains $_ } {
            if ($ns -ne 'root\virtualization\v2' -or -not $h.module) {
                hvsCimError $PSCmdlet 'Invalid namespace ' '0x8004100e' 'MetadataError' $Namespace
                return
            }
            foreach ($pair in @(hvsFailoverAdapters $h)) {
                $setting = hvsFailoverSetting $pair[0] $pair[1]
                if ($ClassName -eq 'Msvm_FailoverNetworkAdapterSettingData') { $setting; continue }
                hvsCim $ClassName ([ordered]@{
                    GroupComponent = (hvsRef 'Msvm_SyntheticEthernetPortSettingData' ([ordered]@{ InstanceID = [string]$pair[1].id }))
                    PartComponent = (hvsRef 'Msvm_FailoverNetworkAdapterSettingData' ([ordered]@{ InstanceID = $setting.InstanceID }))
                })
            }
        }
        default { hvsCimError $PSCmdlet 'Invalid class ' '0x80041010' 'MetadataError' $ClassName }
    }
    hvsSpent $clock
}

Export-ModuleMember -Function Get-CimInstance
