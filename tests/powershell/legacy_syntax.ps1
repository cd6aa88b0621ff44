# Reports what Windows PowerShell 4.0 / 5.1 could not run, from PowerShell's own parser:
# one JSON object { file: [problems] } for the files given.
$Files = $args   # -File passes each path as its own argument
$report = [ordered]@{}
foreach ($file in $Files) {
    $tokens = $null; $parseErrors = $null
    $ast = [Management.Automation.Language.Parser]::ParseFile($file, [ref]$tokens, [ref]$parseErrors)
    $problems = New-Object 'Collections.Generic.List[string]'
    foreach ($e in @($parseErrors)) { if ($null -ne $e) { $problems.Add('parse error: ' + $e.Message) } }
    $found = $ast.FindAll({ param($n) $true }, $true)
    foreach ($n in $found) {
        $t = $n.GetType().Name
        $line = $n.Extent.StartLineNumber
        if ($t -eq 'TypeDefinitionAst') { $problems.Add("line ${line}: class/enum (5.0+)") }
        elseif ($t -eq 'UsingStatementAst') { $problems.Add("line ${line}: using (5.0+)") }
        elseif ($t -eq 'TernaryExpressionAst') { $problems.Add("line ${line}: ternary (7.0+)") }
        elseif ($t -eq 'PipelineChainAst') { $problems.Add("line ${line}: && / || (7.0+)") }
        elseif ($t -eq 'BinaryExpressionAst' -and [string]$n.Operator -eq 'QuestionQuestion') { $problems.Add("line ${line}: ?? (7.0+)") }
        elseif ($t -eq 'AssignmentStatementAst' -and [string]$n.Operator -eq 'QuestionQuestionEquals') { $problems.Add("line ${line}: ??= (7.0+)") }
        elseif (($t -eq 'MemberExpressionAst' -or $t -eq 'InvokeMemberExpressionAst' -or $t -eq 'IndexExpressionAst') -and $n.NullConditional) { $problems.Add("line ${line}: ?. or ?[] (7.0+)") }
        elseif ($t -eq 'InvokeMemberExpressionAst' -and $n.Static -and [string]$n.Member -eq 'new') { $problems.Add("line ${line}: [type]::new() (5.0+)") }
        elseif ($t -eq 'CommandParameterAst' -and $n.ParameterName -eq 'Parallel') { $problems.Add("line ${line}: -Parallel (7.0+)") }
    }
    $report[$file] = $problems.ToArray()
}
ConvertTo-Json -InputObject $report -Depth 4 -Compress
