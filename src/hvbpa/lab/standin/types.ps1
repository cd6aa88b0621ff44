# Loads the stand-ins' .NET types (HyperVTypes.cs). Compiling them takes about a second in
# every new PowerShell, loading a compiled DLL a tenth of that: the DLL is kept in a cache
# folder ($env:HVBPA_STANDIN_CACHE, else the temp folder), named by a hash of the source and
# the PowerShell version, written under a temporary name and renamed into place.
if ($null -eq ('Microsoft.HyperV.PowerShell.VMState' -as [type])) {
    $hvsSource = [IO.File]::ReadAllText((Join-Path $PSScriptRoot 'HyperVTypes.cs'))
    $hvsSha = [Security.Cryptography.SHA256]::Create()
    $hvsBytes = $hvsSha.ComputeHash([Text.Encoding]::UTF8.GetBytes($hvsSource + [string]$PSVersionTable.PSVersion))
    $hvsHash = ([BitConverter]::ToString($hvsBytes) -replace '-', '').Substring(0, 16).ToLowerInvariant()
    $hvsDir = $env:HVBPA_STANDIN_CACHE
    if (-not $hvsDir) { $hvsDir = Join-Path ([IO.Path]::GetTempPath()) 'hvbpa-standin' }
    $hvsDll = Join-Path $hvsDir ('HyperVTypes-' + $hvsHash + '.dll')
    if (-not [IO.File]::Exists($hvsDll)) {
        [void][IO.Directory]::CreateDirectory($hvsDir)
        $hvsTemp = Join-Path $hvsDir ('HyperVTypes-' + $hvsHash + '-' + $PID + '.tmp')
        Add-Type -TypeDefinition $hvsSource -OutputAssembly $hvsTemp
        [IO.File]::Move($hvsTemp, $hvsDll, $true)
    }
    Add-Type -Path $hvsDll
}
