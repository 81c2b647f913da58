#!/usr/bin/env bash
# Installs Debian's PostgreSQL 15 server programs for the embedded store's PostgreSQL backend
# (FerretDB over a private cluster under .data/, see platform/embedded-postgres.ts). Only the
# programs: the project runs its own cluster, never the system's. Needs root or passwordless sudo
# the first time. (Elsewhere: set POSTGRES_BIN_DIR, or EMBEDDED_STORE_BACKEND=sqlite.)
set -euo pipefail
if [ -x /usr/lib/postgresql/15/bin/postgres ] && [ -x /usr/lib/postgresql/15/bin/initdb ] && id postgres >/dev/null 2>&1; then exit 0; fi
bash "$(dirname "$0")/apt-install.sh" install-postgresql postgresql-15
/usr/lib/postgresql/15/bin/postgres --version >&2
