# One-step setup of the "Dan van kheo" Excel tool for the current Windows user (no administrator rights).
# Started by CaiDat.cmd (double-click). Each step is one Invoke-Step block; tests/test_setup_windows.py checks
# the steps, their order and what each runs against its own list, so keep the two in step.
#
# What it writes: %LOCALAPPDATA%\DanVanKheo\ (venv\, workbook\DanVanKheo.xlam, CaiDat.log, and Python312\ only
# when it installs Python itself); `dvk install-addin` then writes %USERPROFILE%\.DanVanKheo\DanVanKheo.conf
# and copies the add-ins to Excel's XLSTART folder. Nothing machine-wide, no registry key of its own.
#
# Kept to Windows PowerShell 5.1 (what every Windows 10/11 has): this file is UTF-8 with a BOM (without it
# 5.1 reads the Vietnamese text in the ANSI code page), no `&&`, no ternary, and native programs are called
# with $ErrorActionPreference = 'Continue' and their exit code checked (5.1 turns their stderr into errors).

param(
    [switch]$Yes  # answer yes to every question (unattended install by the IT staff)
)

$ErrorActionPreference = 'Continue'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$env:PYTHONUTF8 = '1'  # Python's piped output in UTF-8, as the console now expects
$env:PIP_DISABLE_PIP_VERSION_CHECK = '1'

$Here = $PSScriptRoot
$Base = Join-Path $env:LOCALAPPDATA 'DanVanKheo'
$Venv = Join-Path $Base 'venv'
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
$Dvk = Join-Path $Venv 'Scripts\dvk.exe'
$Log = Join-Path $Base 'CaiDat.log'
$MinPython = '3.11'
$PythonVersion = '3.12.10'  # installed from python.org when the machine has no Python 3.11+
$PythonSigner = 'Python Software Foundation'
$StepCount = 6

function Say([string]$Text, [string]$Color = 'Gray') {
    Write-Host $Text -ForegroundColor $Color
}

function Ask([string]$Question) {
    if ($Yes) { return $true }
    $answer = Read-Host "$Question (C = có, K = không)"
    return ($answer -match '^\s*[cCyY]')
}

function Invoke-Native([string]$Exe, [string[]]$Arguments) {
    # A program's output to the console and the log; throws with its exit code when it fails.
    & $Exe @Arguments | Out-Host
    # Single quotes and -f: in a double-quoted string PowerShell takes the typographic quotes for its own.
    if ($LASTEXITCODE -ne 0) { throw ('“{0} {1}” kết thúc với mã lỗi {2}' -f $Exe, ($Arguments -join ' '), $LASTEXITCODE) }
}

function Invoke-Step([int]$Number, [string]$Title, [scriptblock]$Body) {
    Say ''
    Say "[$Number/$StepCount] $Title" 'Cyan'
    try {
        & $Body
    } catch {
        Say "Bước $Number ($Title) không thành công: $($_.Exception.Message)" 'Red'
        Say "Nhật ký cài đặt: $Log. Gửi tệp này cho bộ phận kỹ thuật nếu chạy lại vẫn lỗi." 'Red'
        Stop-Transcript | Out-Null
        exit 1
    }
}

function Test-Python([string]$Exe, [string[]]$Prefix) {
    # The full path of a working Python >= 3.11 (not the Microsoft Store one, whose AppData is redirected
    # away from where Excel looks), or $null.
    $code = 'import sys; print(sys.executable); sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)'
    try {
        $out = & $Exe @Prefix -c $code 2>$null
    } catch {
        return $null
    }
    if ($LASTEXITCODE -ne 0 -or -not $out) { return $null }
    $path = ([string]($out | Select-Object -Last 1)).Trim()
    if ($path -like '*\WindowsApps\*' -or -not (Test-Path -LiteralPath $path)) { return $null }
    return $path
}

function Find-Python {
    if (Get-Command py -ErrorAction SilentlyContinue) {
        foreach ($version in @('-3.13', '-3.12', '-3.11', '-3')) {
            $found = Test-Python 'py' @($version)
            if ($found) { return $found }
        }
    }
    if (Get-Command python -ErrorAction SilentlyContinue) {
        $found = Test-Python 'python' @()
        if ($found) { return $found }
    }
    $places = @((Join-Path $Base 'Python312'), (Join-Path $env:LOCALAPPDATA 'Programs\Python\Python3*'),
                (Join-Path $env:ProgramFiles 'Python3*'))
    foreach ($place in $places) {
        foreach ($exe in (Get-ChildItem -Path (Join-Path $place 'python.exe') -ErrorAction SilentlyContinue)) {
            $found = Test-Python $exe.FullName @()
            if ($found) { return $found }
        }
    }
    return $null
}

function Install-Python {
    # python.org's installer, for this user only (InstallAllUsers=0: no administrator rights), into our folder.
    $arch = 'amd64'
    if (-not [Environment]::Is64BitOperatingSystem) { $arch = '' }
    $name = "python-$PythonVersion" + $(if ($arch) { "-$arch" } else { '' }) + '.exe'
    $url = "https://www.python.org/ftp/python/$PythonVersion/$name"
    $installer = Join-Path $env:TEMP $name
    $target = Join-Path $Base 'Python312'
    Say "Đang tải $url …"
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
    Invoke-WebRequest -Uri $url -OutFile $installer -UseBasicParsing -ErrorAction Stop
    $signature = Get-AuthenticodeSignature -FilePath $installer
    if ($signature.Status -ne 'Valid' -or $signature.SignerCertificate.Subject -notlike "*$PythonSigner*") {
        Remove-Item -LiteralPath $installer -Force
        throw "tệp tải về không mang chữ ký số hợp lệ của $PythonSigner; đã xóa, không cài"
    }
    Say "Đang cài Python $PythonVersion vào $target (chỉ cho người dùng này) …"
    $arguments = @('/quiet', 'InstallAllUsers=0', 'Include_launcher=0', 'Include_test=0', 'PrependPath=0',
                   'Shortcuts=0', "TargetDir=`"$target`"")
    $process = Start-Process -FilePath $installer -ArgumentList $arguments -Wait -PassThru
    Remove-Item -LiteralPath $installer -Force -ErrorAction SilentlyContinue
    if ($process.ExitCode -ne 0) { throw "bộ cài Python kết thúc với mã lỗi $($process.ExitCode)" }
    return (Join-Path $target 'python.exe')
}

function Find-Package {
    # What to install: a wheel beside this script (the newest), else the source folder this script sits in
    # (windows\ of a copy of the sources), else dvk_xl from the package index.
    $wheel = Get-ChildItem -Path (Join-Path $Here 'dvk_xl-*.whl') -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTime | Select-Object -Last 1
    if ($wheel) { return $wheel.FullName }
    $source = Split-Path -Parent $Here
    $project = Join-Path $source 'pyproject.toml'
    if ((Test-Path -LiteralPath $project) -and (Select-String -LiteralPath $project -Pattern '^name = "dvk_xl"' -Quiet)) {
        return $source
    }
    return 'dvk_xl'
}

New-Item -ItemType Directory -Force -Path $Base | Out-Null
Start-Transcript -Path $Log -Append | Out-Null
Say 'Cài đặt công cụ “Dân vận khéo” cho Excel (chỉ cho người dùng này, không cần quyền quản trị)' 'Green'
Say "Thư mục cài đặt: $Base"

$Python = $null
Invoke-Step 1 "Tìm Python $MinPython trở lên" {
    $script:Python = Find-Python
    if (-not $script:Python) {
        Say "Máy chưa có Python $MinPython trở lên."
        if (Ask "Tải Python $PythonVersion từ python.org (khoảng 25 MB) và cài cho riêng người dùng này?") {
            $script:Python = Install-Python
        } else {
            throw ("chưa có Python. Tải bộ cài Python 3.12 (Windows installer 64-bit) ở https://www.python.org/downloads/windows/, " +
                   'chọn “Install Now” (không cần quyền quản trị), rồi chạy lại CaiDat.cmd')
        }
    }
    Say "Python: $script:Python" 'Green'
}

Invoke-Step 2 'Đóng Excel trong lúc cài' {
    # Excel and the Python it shares between clicks hold files that the next steps replace.
    while (Get-Process -Name EXCEL -ErrorAction SilentlyContinue) {
        if ($Yes) { throw 'Excel đang mở: đóng mọi cửa sổ Excel rồi chạy lại' }
        Read-Host 'Excel đang mở: lưu và đóng mọi cửa sổ Excel rồi bấm Enter' | Out-Null
    }
    $left = @(Get-Process -Name python, pythonw -ErrorAction SilentlyContinue | Where-Object { $_.Path -like "$Base\*" })
    if ($left.Count -gt 0) {
        Say "Tắt $($left.Count) tiến trình Python của công cụ còn chạy sau khi Excel đóng"
        $left | Stop-Process -Force -ErrorAction Stop
    }
    Say 'Excel đã đóng.' 'Green'
}

Invoke-Step 3 'Tạo môi trường Python riêng cho công cụ' {
    if ((Test-Path -LiteralPath $VenvPython) -and (Test-Python $VenvPython @())) {
        Say "Dùng lại môi trường đã có: $Venv"
    } else {
        if (Test-Path -LiteralPath $Venv) { Remove-Item -LiteralPath $Venv -Recurse -Force -ErrorAction Stop }
        Invoke-Native $script:Python @('-m', 'venv', $Venv)
        Say "Đã tạo $Venv" 'Green'
    }
}

Invoke-Step 4 'Cài dvk_xl và các thư viện đi kèm' {
    $package = Find-Package
    Say "Cài từ: $package"
    $pip = @('-m', 'pip', 'install', '--upgrade', '--no-warn-script-location', '--find-links', $Here)
    Invoke-Native $VenvPython ($pip + @($package))
    if ($package -ne 'dvk_xl') {
        # The same version number with new code (a newer wheel or source): replace the package's own files.
        Invoke-Native $VenvPython ($pip + @('--force-reinstall', '--no-deps', $package))
    }
    Invoke-Native $Dvk @('--version')
}

Invoke-Step 5 'Tạo add-in DanVanKheo.xlam, cài vào Excel và ghi cấu hình' {
    Push-Location -LiteralPath $Base  # the add-in is built into workbook\ here, beside the environment
    try {
        Invoke-Native $Dvk @('install-addin')
    } finally {
        Pop-Location
    }
}

$Ready = $false
Invoke-Step 6 'Kiểm tra cài đặt (dvk doctor)' {
    & $Dvk doctor | Out-Host
    $script:Ready = ($LASTEXITCODE -eq 0)
}

Say ''
if ($Ready) {
    Say 'Xong. Mở Excel rồi mở sổ tổng hợp SoTongHop_DVK_<năm>.xlsx: thanh “Dân vận khéo” xuất hiện.' 'Green'
} else {
    Say 'Đã cài xong nhưng còn mục chưa đạt (✗) ở trên: làm theo hướng dẫn “→” rồi chạy lại CaiDat.cmd.' 'Yellow'
}
Say "Lệnh dvk (cho bộ phận kỹ thuật): $Dvk; nhật ký: $Log"
Stop-Transcript | Out-Null
if ($Ready) { exit 0 } else { exit 1 }
