#!/usr/bin/env bash
# `npm run setup`: everything a fresh clone needs — the locked npm dependencies, the embedded
# store (FerretDB, built with Go, over Debian's PostgreSQL 15), Debian's Chromium for the
# browser tests, and the development GraphQL IDE's bundle (GraphiQL from the locked packages).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci
npm run -s build:ide
bash scripts/install-ferretdb.sh
bash scripts/install-postgresql.sh
bash scripts/install-chromium.sh
