#!/usr/bin/env bash
# Debian packages used by the tests: chromium (browser test), poppler-utils (pdftotext),
# LibreOffice Writer (the .docx -> PDF check) with the Liberation fonts (metric twins of Times New Roman).
# Installs them when run as root on Debian/Ubuntu; otherwise says what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui fonts-liberation2)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "note: missing ${need[*]}; the tests that need them will skip."
  echo "      install with: sudo apt-get install ${need[*]}"
fi
