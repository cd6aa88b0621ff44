# Stand-in for Get-CimInstance (hvbpa tests and lab only): PowerShell on Linux has no CIM.
@{
    RootModule = 'HvbpaCim.psm1'
    ModuleVersion = '1.0.0'
    GUID = '5b0f6a43-2f5e-4d0c-9a7e-2b8d3c1e9f10'
    Author = 'hvbpa'
    Description = 'hvbpa stand-in for Get-CimInstance, answering from a host description.'
    FunctionsToExport = @('Get-CimInstance')
}
