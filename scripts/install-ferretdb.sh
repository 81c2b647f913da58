#!/usr/bin/env bash
# Installs the embedded store, FerretDB 1.24.2 (Apache-2.0), into .tools/bin: project-local and
# git-ignored. Built from its module source through the Go module proxy; no release binary.
#
# Why not plain `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: that builds, but
# the binary panics at start ("Invalid build/version/version.txt file content") because the module
# zip ships an empty build/version/version.txt, which upstream's own build fills from `git describe`.
# So we fetch the same module with `go mod download`, write the version file, and `go build` it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=v1.24.2
bin="$root/.tools/bin/ferretdb"
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "version: $version"; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-ferretdb: Go (1.24 or later) is needed to build FerretDB $version; or set MONGODB_URI to a MongoDB 7 server" >&2
  exit 1
fi
echo "install-ferretdb: building FerretDB $version (the first build takes a few minutes)" >&2
moddir=$(GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$moddir" ] || { echo "install-ferretdb: go mod download gave no source directory" >&2; exit 1; }
src="$root/.tools/src/ferretdb-$version"
rm -rf "$src"; mkdir -p "$src" "$root/.tools/bin"
cp -R "$moddir/." "$src/"
chmod -R u+w "$src"
echo "$version" > "$src/build/version/version.txt"
(cd "$src" && GOFLAGS=-mod=mod go build -trimpath -o "$bin" ./cmd/ferretdb)
rm -rf "$src"
"$bin" --version >&2
