#!/usr/bin/env bash
# Installs Debian's Chromium for the auditors' page test (driven by playwright-core, which never
# downloads a browser of its own), and a CJK font, without which Chromium draws every Chinese
# character as a box; and poppler-utils, whose pdftotext the bulletin report's test reads the PDF
# with; and openssl, with which scripts/dev-certs.sh makes the TLS tests' certificates. Needs root
# or passwordless sudo the first time.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then missing+=(fonts-wqy-microhei); fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
bash "$(dirname "$0")/apt-install.sh" install-chromium "${missing[@]}"
/usr/bin/chromium --version >&2 || true
