@echo off
rem "Dan van kheo": one-step setup of the Excel tool for this Windows user, no administrator rights needed.
rem Double-click this file. It runs CaiDat.ps1 (beside it) in Windows PowerShell; the execution policy is
rem bypassed for that one run only. The log goes to %LOCALAPPDATA%\DanVanKheo\CaiDat.log.
rem This file stays ASCII with CRLF line ends: cmd.exe reads it in the console's code page.
setlocal
chcp 65001 >nul
title Dan van kheo - Cai dat
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0CaiDat.ps1" %*
set "RESULT=%ERRORLEVEL%"
echo.
pause
exit /b %RESULT%
