# Run before an hvbpa bootstrap in a fresh PowerShell: play the host described by the JSON
# file $env:HVBPA_STANDIN_HOST. $env:HVBPA_STANDIN_LANGUAGE_MODE may switch the session to
# ConstrainedLanguage, as an AppLocker/WDAC policy does on a locked-down host.
. (Join-Path $PSScriptRoot 'setup.ps1')
hvsUseHost ([IO.File]::ReadAllText($env:HVBPA_STANDIN_HOST) | ConvertFrom-Json)
if ($env:HVBPA_STANDIN_LANGUAGE_MODE) { $ExecutionContext.SessionState.LanguageMode = $env:HVBPA_STANDIN_LANGUAGE_MODE }
