# Stand-in for Microsoft's NetQos module (hvbpa tests and lab only; not Microsoft's code).
@{
    RootModule = 'NetQos.psm1'
    ModuleVersion = '2.0.0.0'
    GUID = '3c7f1d52-8a0e-4b6b-9d2e-6f0a4c1b7e21'
    Author = 'hvbpa'
    Description = 'hvbpa stand-in for the NetQos module, built from a host description.'
    FunctionsToExport = @('Get-NetQosPolicy')
}
