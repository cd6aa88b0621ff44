# Pester tests of the stand-ins themselves (run by test_standins_pester.py: pytest stays
# the runner CI reads). The host description is $env:HVBPA_STANDIN_HOST.
BeforeAll {
    . (Join-Path $env:HVBPA_STANDIN_ROOT 'setup.ps1')
    $script:description = [IO.File]::ReadAllText($env:HVBPA_STANDIN_HOST) | ConvertFrom-Json
    hvsUseHost $script:description
}

Describe 'The Hyper-V stand-in module' {
    It 'is found by Get-Module -ListAvailable under the name Hyper-V' {
        @(Get-Module -ListAvailable -Name Hyper-V).Count | Should -Be 1
    }

    It 'answers Get-VM with enum-typed states, GUID ids and TimeSpan uptimes' {
        $vm = @(Hyper-V\Get-VM)[0]
        $vm.State | Should -BeOfType ([Microsoft.HyperV.PowerShell.VMState])
        $vm.ReplicationMode | Should -BeOfType ([Microsoft.HyperV.PowerShell.VMReplicationMode])
        $vm.Id | Should -BeOfType ([guid])
        $vm.Uptime | Should -BeOfType ([TimeSpan])
        [int][Microsoft.HyperV.PowerShell.VMState]::Off | Should -Be 3
        [int][Microsoft.HyperV.PowerShell.VMHeartbeatStatus]::OkApplicationsHealthy | Should -Be 6
    }

    It 'gives integration services Microsoft:<VMId>\<GUID> ids and counts their status getters' {
        $vms = @(Hyper-V\Get-VM)
        $services = @(Hyper-V\Get-VMIntegrationService -VM $vms)
        $services[0].Id | Should -Match '^Microsoft:[0-9A-F-]{36}\\[0-9A-F-]{36}$'
        $before = [Microsoft.HyperV.PowerShell.VMIntegrationComponent]::StatusQueries
        $null = $services[0].PrimaryOperationalStatus
        [Microsoft.HyperV.PowerShell.VMIntegrationComponent]::StatusQueries | Should -Be ($before + 1)
    }

    It 'collects no spurious errors into -ErrorVariable' {
        $ev = $null
        $null = Hyper-V\Get-VMNetworkAdapter -VM @(Hyper-V\Get-VM) -ErrorAction SilentlyContinue -ErrorVariable ev
        @($ev).Count | Should -Be 0
    }

    It 'counts every call' {
        $global:HvbpaStandInCalls = @{}
        $null = Hyper-V\Get-VM
        $null = Hyper-V\Get-VM
        $global:HvbpaStandInCalls['Hyper-V\Get-VM'] | Should -Be 2
    }

    It 'leaves Version out on a Windows Server 2012 R2 host' {
        $old = $script:description.PSObject.Copy()
        $old.old_host = $true
        hvsUseHost $old
        $vm = @(Hyper-V\Get-VM)[0]
        $vm.PSObject.Properties['Version'] | Should -BeNullOrEmpty
        $vm.PSObject.Properties['VirtualMachineType'] | Should -BeNullOrEmpty
        hvsUseHost $script:description
    }
}

Describe 'The Get-CimInstance stand-in' {
    It 'fails with WBEM_E_INVALID_NAMESPACE off a cluster' {
        { Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_Cluster -ErrorAction Stop } |
            Should -Throw -ErrorId 'HRESULT 0x8004100e*'
    }

    It 'carries the KVP status and the guest items as embedded-instance XML' {
        $c = @(Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_KvpExchangeComponent)[0]
        $c.SystemName | Should -Match '^[0-9A-F-]{36}$'
        @($c.OperationalStatus)[0] | Should -Be 2
        ([xml]@($c.GuestIntrinsicExchangeItems)[0]).INSTANCE.CLASSNAME | Should -Be 'Msvm_KvpExchangeDataItem'
    }
}
