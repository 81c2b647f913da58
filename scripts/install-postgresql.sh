#!/usr/bin/env bash
# Installs Debian's PostgreSQL 15 server programs for the embedded store's PostgreSQL backend
# (FerretDB over a private cluster under .data/, see platform/embedded-postgres.ts). Only the
# programs: the project runs its own cluster, never the system's. Needs root or passwordless sudo
# the first time.
set -euo pipefail
if [ -x /usr/lib/postgresql/15/bin/postgres ] && [ -x /usr/lib/postgresql/15/bin/initdb ] && id postgres >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-postgresql: no apt-get here; install PostgreSQL 15 (or set POSTGRES_BIN_DIR, or EMBEDDED_STORE_BACKEND=sqlite)" >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then as_root=(sudo); else
    echo "install-postgresql: run as root (or with sudo): apt-get install -y postgresql-15" >&2
    exit 1
  fi
fi
echo "install-postgresql: installing Debian's postgresql-15 package" >&2
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq postgresql-15 >/dev/null
/usr/lib/postgresql/15/bin/postgres --version >&2
