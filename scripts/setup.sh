#!/usr/bin/env bash
# `npm run setup`: everything a fresh clone needs — the locked npm dependencies, the embedded
# store (FerretDB, built with Go, over Debian's PostgreSQL 15) and Debian's Chromium for the
# browser test.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci
bash scripts/install-ferretdb.sh
bash scripts/install-postgresql.sh
bash scripts/install-chromium.sh
