#!/usr/bin/env bash
# Installs the Debian packages the tests need (idempotent). Run as root, or have them installed:
#   chromium      - Playwright drives Debian's Chromium (/usr/bin/chromium); never `npx playwright install`
#   poppler-utils - pdftotext, which the case report PDF test reads the PDF's text with (CAS-5)
#   postgresql    - the server tests start a real PostgreSQL cluster (initdb + pg_ctl) on loopback
#   openssl       - the server TLS test makes a self-signed certificate
set -euo pipefail

packages=(chromium poppler-utils postgresql openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "setup-test-env: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "setup-test-env: need root to install: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
