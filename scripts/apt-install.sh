#!/usr/bin/env bash
# `apt-install.sh <name> <package>…`: installs Debian packages for set-up, as root or with
# passwordless sudo (apt-get update first). Used by the install-*.sh scripts once they have found
# what they need missing.
set -euo pipefail
name="$1"; shift
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$name: no apt-get here; install $* yourself" >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then as_root=(sudo); else
    echo "$name: run as root (or with sudo): apt-get install -y $*" >&2
    exit 1
  fi
fi
echo "$name: installing Debian's $*" >&2
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "$@" >/dev/null
