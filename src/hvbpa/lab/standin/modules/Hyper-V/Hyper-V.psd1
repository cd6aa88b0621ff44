# Stand-in for Microsoft's Hyper-V module (hvbpa tests and lab only; not Microsoft's code).
@{
    RootModule = 'Hyper-V.psm1'
    ModuleVersion = '2.0.0.0'
    GUID = 'af4bddd0-8583-4ff2-84b2-a33f5c8de8a7'
    Author = 'hvbpa'
    Description = 'hvbpa stand-in for the Hyper-V module, built from a host description.'
    FunctionsToExport = @('Get-VM', 'Get-VMReplication', 'Get-VMIntegrationService', 'Get-VMNetworkAdapter',
        'Get-VMNetworkAdapterFailoverConfiguration', 'Get-VMSnapshot', 'Get-VMReplicationServer',
        'Get-VMReplicationAuthorizationEntry', 'Measure-VMReplication')
}
