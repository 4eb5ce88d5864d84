# Build the Windows till: PyInstaller one-folder app, a smoke test of the built program, then
# the installer with Inno Setup 6 (ISCC.exe). Run from any folder, in PowerShell 5.1 or 7:
#
#   powershell -ExecutionPolicy Bypass -File installers\build.ps1 [-Python PATH] [-Out DIR]
#                                        [-Work DIR] [-Iscc PATH] [-NoSmoke] [-NoInstaller]
#
# Needs: Python 3.11+ (x64) with the project and PyInstaller in a venv
#   py -3.11 -m venv .venv; .venv\Scripts\python -m pip install -e ".[build]"
# and Inno Setup 6.3 or newer (https://jrsoftware.org/isinfo.php) for the installer.
#
# Result: OUT\loyalty-pos\ (LoyaltyPOS.exe, loyalty-pos.exe, _internal\) and
#         OUT\LoyaltyPOS-VERSION-setup.exe
#
# NOT RUN HERE: this project's machines are Linux (see docs/installing.md).
[CmdletBinding()]
param(
    [string]$Python = "",
    [string]$Out = "",
    [string]$Work = "",
    [string]$Iscc = "",
    [switch]$NoSmoke,
    [switch]$NoInstaller
)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
if (-not $Python) { $Python = Join-Path $Root ".venv\Scripts\python.exe" }
if (-not $Out) { $Out = Join-Path $Root "dist" }
if (-not $Work) { $Work = Join-Path $Root "build\pyinstaller" }
New-Item -ItemType Directory -Force -Path $Out, $Work | Out-Null
$Out = (Resolve-Path $Out).Path
$Work = (Resolve-Path $Work).Path

function Invoke-Checked {
    # Run a program; stop the build when it fails (native programs do not throw by themselves).
    param([string]$Program, [string[]]$Arguments)
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Program $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

& $Python -c "import PyInstaller"
if ($LASTEXITCODE -ne 0) { throw "PyInstaller is not installed: run $Python -m pip install -e `"$Root[build]`"" }
$Version = (& $Python -c "import loyalty_pos; print(loyalty_pos.__version__)").Trim()
Write-Host "== building Loyalty POS $Version for Windows into $Out"

$Started = Get-Date
Invoke-Checked $Python @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
    "--distpath", $Out, "--workpath", $Work, (Join-Path $Root "installers\loyalty_pos.spec"))
$App = Join-Path $Out "loyalty-pos"
$Cli = Join-Path $App "loyalty-pos.exe"
Write-Host "== PyInstaller took $([int]((Get-Date) - $Started).TotalSeconds) s"

if (-not $NoSmoke) {
    Write-Host "== smoke test of the built program"
    $SmokeDir = Join-Path ([System.IO.Path]::GetTempPath()) ("loyalty-pos-smoke-" + [guid]::NewGuid())
    New-Item -ItemType Directory -Path $SmokeDir | Out-Null
    try {
        $env:QT_QPA_PLATFORM = "offscreen"
        $Reported = (& $Cli --version | Out-String).Trim()
        if ($Reported -ne "loyalty-pos $Version") { throw "--version says '$Reported', expected 'loyalty-pos $Version'" }
        $Db = Join-Path $SmokeDir "till.sqlite"
        Invoke-Checked $Cli @("demo", "--db", $Db, "--members", "200")
        Invoke-Checked $Cli @("verify", "--db", $Db)
        Invoke-Checked $Cli @("smoke", "--db", $Db, "--screenshot", (Join-Path $SmokeDir "till.png"))
        Write-Host "== smoke test passed"
    }
    finally {
        Remove-Item Env:\QT_QPA_PLATFORM -ErrorAction SilentlyContinue
        Remove-Item -Recurse -Force $SmokeDir -ErrorAction SilentlyContinue
    }
}

if (-not $NoInstaller) {
    if (-not $Iscc) {
        $Found = Get-Command "ISCC.exe" -ErrorAction SilentlyContinue
        if ($Found) { $Iscc = $Found.Source }
        else { $Iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe" }
    }
    if (-not (Test-Path $Iscc)) { throw "Inno Setup's ISCC.exe not found at $Iscc (install Inno Setup 6.3+ or pass -Iscc)" }
    Write-Host "== installer with $Iscc"
    Invoke-Checked $Iscc @("/Q", "/DAppVersion=$Version", "/DDistDir=$App", "/DOutputDir=$Out",
        (Join-Path $Root "installers\windows\loyalty-pos.iss"))
    Write-Host "== $(Join-Path $Out "LoyaltyPOS-$Version-setup.exe")"
}
Write-Host "== done in $([int]((Get-Date) - $Started).TotalSeconds) s"
