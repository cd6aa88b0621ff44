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

Describe 'The Hyper-V stand-in behaves as the real module (issue 17)' {
    It 'writes no failover setting for an adapter without one, as the real cmdlet does' {
        $adapters = @(Hyper-V\Get-VMNetworkAdapter -VM @(Hyper-V\Get-VM))
        $without = @($adapters | Where-Object { $null -eq $_.HvbpaStandInFailover })
        $without.Count | Should -BeGreaterThan 0
        @(Hyper-V\Get-VMNetworkAdapterFailoverConfiguration -VMNetworkAdapter $without).Count | Should -Be 0
    }

    It 'names VirtualMachineType values as the module does, and knows VM states 32781-32784' {
        [string][Microsoft.HyperV.PowerShell.VirtualMachineType]3 | Should -Be 'RealizedVirtualMachine'
        [string][Microsoft.HyperV.PowerShell.VirtualMachineType]4 | Should -Be 'PlannedVirtualMachine'
        [string][Microsoft.HyperV.PowerShell.VMState]32781 | Should -Be 'ForceShutdown'
        [string][Microsoft.HyperV.PowerShell.VMState]32782 | Should -Be 'ForceReboot'
        [string][Microsoft.HyperV.PowerShell.VMState]32783 | Should -Be 'Hibernated'
        [string][Microsoft.HyperV.PowerShell.VMState]32784 | Should -Be 'ComponentServicing'
    }

    It "reports the VM's own replication mode on Get-VMReplication, not the relationship record's" {
        $changed = $script:description | ConvertTo-Json -Depth 12 | ConvertFrom-Json
        $changed.vms[0].replication.mode = 2
        $changed.vms[0].replication.relationships[0].mode = 1
        hvsUseHost $changed
        [int]@(Hyper-V\Get-VMReplication)[0].ReplicationMode | Should -Be 2
        hvsUseHost $script:description
    }

    It 'refuses "allowed from any server" without the authorization entry "*" it is' {
        $changed = $script:description | ConvertTo-Json -Depth 12 | ConvertFrom-Json
        $changed.replication_server.allowed_from_any_server = $true
        { hvsUseHost $changed } | Should -Throw '*impossible host description*'
        hvsUseHost $script:description
    }

    It 'gives Measure-VMReplication no test failover time for "never" (the FILETIME zero)' {
        $changed = $script:description | ConvertTo-Json -Depth 12 | ConvertFrom-Json
        $rel = $changed.vms[0].replication.relationships[0]
        $rel | Add-Member -NotePropertyName last_test_failover_time -NotePropertyValue '1601-01-01T00:00:00Z' -Force
        hvsUseHost $changed
        $m = @(Hyper-V\Measure-VMReplication -VM @(Hyper-V\Get-VM)[0])[0]
        $m.PSObject.Properties['LastTestFailoverInitiatedTime'] | Should -Not -BeNullOrEmpty
        $m.LastTestFailoverInitiatedTime | Should -BeNullOrEmpty
        hvsUseHost $script:description
    }
}

Describe 'The Get-CimInstance stand-in' {
    It 'has no guest components (KVP, VSS) for a VM that is off' {
        $changed = $script:description | ConvertTo-Json -Depth 12 | ConvertFrom-Json
        $changed.vms[0].state = 3
        hvsUseHost $changed
        $off = ([string]$changed.vms[0].id).ToUpperInvariant()
        @(Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_KvpExchangeComponent | Where-Object { $_.SystemName -eq $off }).Count | Should -Be 0
        @(Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_VssComponent | Where-Object { $_.SystemName -eq $off }).Count | Should -Be 0
        @(Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_KvpExchangeComponent).Count | Should -Be ($changed.vms.Count - 1)
        hvsUseHost $script:description
    }

    It 'ties each failover setting to its adapter through Msvm_EthernetPortFailoverSettingDataComponent' {
        $settings = @(Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_FailoverNetworkAdapterSettingData)
        $links = @(Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_EthernetPortFailoverSettingDataComponent)
        $settings.Count | Should -Be 1
        $links.Count | Should -Be $settings.Count
        foreach ($s in $settings) { $s.InstanceID | Should -Match '^Microsoft:FailoverNetworkSetting\\[0-9A-F-]{36}\\' }
        $adapterIds = @(Hyper-V\Get-VMNetworkAdapter -VM @(Hyper-V\Get-VM) | ForEach-Object { [string]$_.Id })
        foreach ($l in $links) { $adapterIds | Should -Contain $l.GroupComponent.InstanceID }
    }


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
