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

$script:kvpGuid = '2A34B1C2-FD73-4043-8A5B-DD2159BC743F'
$script:vssGuid = '5CED1297-4598-4915-A5FC-AD21BB4D02A4'

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
                # CLUSTER_RESOURCE_STATE by number; the description holds the names the script prints.
                $states = @{ Inherited = 0; Initializing = 1; Online = 2; Offline = 3; Failed = 4; Pending = 128; OnlinePending = 129; OfflinePending = 130 }
                foreach ($r in @($h.cluster_resources)) {
                    if ($null -eq $r) { continue }
                    $state = $null
                    if ($null -ne $r.state) {
                        if ($states.ContainsKey([string]$r.state)) { $state = [uint32]$states[[string]$r.state] } else { $state = [uint32][string]$r.state }
                    }
                    hvsCim $ClassName ([ordered]@{ Name = [string]$r.name; Type = [string]$r.type; State = $state })
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
        default { hvsCimError $PSCmdlet 'Invalid class ' '0x80041010' 'MetadataError' $ClassName }
    }
    hvsSpent $clock
}

Export-ModuleMember -Function Get-CimInstance
