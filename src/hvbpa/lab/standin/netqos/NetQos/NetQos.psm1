# Stand-in for Get-NetQosPolicy: the description's qos_policies as MSFT_NetQosPolicySettingData
# instances. Only a host whose description has qos_policies (a list, maybe empty) has this
# module on its path; for the others the command does not exist, as on a host without NetQos.
. (Join-Path $PSScriptRoot '../../common.ps1')

function Get-NetQosPolicy {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string[]]$Name, [string]$PolicyStore)
    $clock = hvsCount 'NetQos\Get-NetQosPolicy'
    $denied = hvsFault 'denied' 'Get-NetQosPolicy'
    if ($null -ne $denied) {
        $PSCmdlet.ThrowTerminatingError((hvsRecord $denied 'AccessDenied,Get-NetQosPolicy' 'PermissionDenied' $null 'System.UnauthorizedAccessException'))
    }
    foreach ($q in @((hvsHost).qos_policies)) {
        if ($null -eq $q) { continue }
        # A policy that matches no destination port range reports the ranges as 0, not null.
        $p = [ordered]@{
            Name = [string]$q.name
            Owner = 'Group Policy (Machine)'
            ThrottleRateActionBitsPerSecond = [uint64]0
            IPDstPortStartMatchCondition = [uint16]0
            IPDstPortEndMatchCondition = [uint16]0
        }
        if ($null -ne $q.throttle_bits_per_second) { $p.ThrottleRateActionBitsPerSecond = [uint64]$q.throttle_bits_per_second }
        if ($null -ne $q.dst_port_start) { $p.IPDstPortStartMatchCondition = [uint16]$q.dst_port_start }
        if ($null -ne $q.dst_port_end) { $p.IPDstPortEndMatchCondition = [uint16]$q.dst_port_end }
        $o = New-Object PSObject -Property $p
        $o.PSObject.TypeNames.Insert(0, 'Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetQosPolicySettingData')
        $o
    }
    hvsSpent $clock
}

Export-ModuleMember -Function Get-NetQosPolicy
