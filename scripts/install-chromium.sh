#!/usr/bin/env bash
# Installs Debian's Chromium for the auditors' page test (driven by playwright-core, which never
# downloads a browser of its own). Needs root or passwordless sudo the first time.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get here; install Chromium so that /usr/bin/chromium exists" >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then as_root=(sudo); else
    echo "install-chromium: run as root (or with sudo): apt-get install -y chromium" >&2
    exit 1
  fi
fi
echo "install-chromium: installing Debian's chromium package" >&2
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version >&2 || true
