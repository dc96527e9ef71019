#!/usr/bin/env bash
# Installs LibreOffice Calc (headless) and its Python bridge (python3-uno, for the system python3) from
# Debian's packages when they are missing, so that the tests can open our workbooks in a real spreadsheet
# program and run the add-in's VBA there. Without root or apt it only warns.
set -u
packages=()
if ! command -v soffice >/dev/null 2>&1; then
  packages+=(libreoffice-calc-nogui poppler-utils)
fi
if ! /usr/bin/python3 -c "import uno" >/dev/null 2>&1; then
  packages+=(python3-uno)
fi
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${packages[*]} for the spreadsheet and VBA checks..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${packages[@]}" >/dev/null \
    || apt-get install -y -qq "${packages[@]/libreoffice-calc-nogui/libreoffice-calc}" >/dev/null
else
  echo "WARNING: ${packages[*]} missing; the tests that open workbooks in LibreOffice will be skipped." >&2
  echo "         Install with: sudo apt-get install ${packages[*]}" >&2
fi
exit 0
