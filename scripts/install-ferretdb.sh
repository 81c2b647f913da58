#!/usr/bin/env bash
# Installs the embedded store, FerretDB 1.24.2 (Apache-2.0), into .tools/bin: project-local and
# git-ignored. Built from its module source through the Go module proxy; no release binary.
#
# Why not plain `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: that builds, but
# the binary panics at start ("Invalid build/version/version.txt file content") because the module
# zip ships an empty build/version/version.txt, which upstream's own build fills from `git describe`.
# So we fetch the same module with `go mod download`, write the version file, and `go build` it.
#
# We also patch it (scripts/ferretdb/pushdown.patch, its header says what and why): upstream's
# PostgreSQL backend pushes down only top-level equality, so `$in` (our batched loads) and date
# ranges (statistics) made PostgreSQL return the whole collection for FerretDB to decode and filter
# in Go. The patch pushes those down as conditions that keep a superset of the matches (FerretDB
# still filters every returned row in Go). A MongoDB server needs none of this.
# .tools/bin/ferretdb.build records the version and the patch's sha256: a changed patch rebuilds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=v1.24.2
bin="$root/.tools/bin/ferretdb"
patchfile="$root/scripts/ferretdb/pushdown.patch"
stamp="$bin.build"
build="$version $(sha256sum "$patchfile" | cut -d' ' -f1)"
if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$build" ] && "$bin" --version 2>/dev/null | grep -q "version: $version"; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-ferretdb: Go (1.24 or later) is needed to build FerretDB $version; or set MONGODB_URI to a MongoDB 7 server" >&2
  exit 1
fi
command -v patch >/dev/null 2>&1 || bash "$(dirname "$0")/apt-install.sh" install-ferretdb patch
echo "install-ferretdb: building FerretDB $version with scripts/ferretdb/pushdown.patch (the first build takes a few minutes)" >&2
moddir=$(GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$moddir" ] || { echo "install-ferretdb: go mod download gave no source directory" >&2; exit 1; }
src="$root/.tools/src/ferretdb-$version"
rm -rf "$src"; mkdir -p "$src" "$root/.tools/bin"
trap 'rm -rf "$src" "$bin.new"' EXIT
cp -R "$moddir/." "$src/"
chmod -R u+w "$src"
echo "$version" > "$src/build/version/version.txt"
if ! (cd "$src" && patch -p1 --forward --batch --quiet < "$patchfile"); then
  echo "install-ferretdb: $patchfile does not apply to FerretDB $version" >&2
  exit 1
fi
# Built beside the old binary and renamed over it: a store that is running keeps its file.
(cd "$src" && GOFLAGS=-mod=mod go build -trimpath -o "$bin.new" ./cmd/ferretdb)
mv -f "$bin.new" "$bin"
echo "$build" > "$stamp"
"$bin" --version >&2
