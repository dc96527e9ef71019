#!/usr/bin/env bash
# Installs LibreOffice Calc (headless) from Debian's packages when it is missing, so that the
# tests can open our workbooks in a real spreadsheet program. Without root or apt it only warns.
set -u
if command -v soffice >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing LibreOffice Calc (headless) for the spreadsheet checks..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq libreoffice-calc-nogui poppler-utils >/dev/null \
    || apt-get install -y -qq libreoffice-calc poppler-utils >/dev/null
else
  echo "WARNING: LibreOffice (soffice) is missing; the tests that open workbooks in it will be skipped." >&2
  echo "         Install it with: sudo apt-get install libreoffice-calc-nogui poppler-utils" >&2
fi
exit 0
