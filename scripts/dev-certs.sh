#!/usr/bin/env bash
# Development certificates for TLS between the services (README: "TLS"): a CA of its own and one
# certificate it signs, for the names given (default: 127.0.0.1 and localhost), valid 30 days.
#   bash scripts/dev-certs.sh DIR [NAME ...]   e.g.  bash scripts/dev-certs.sh .data/tls gateway court 127.0.0.1
# writes DIR/ca.pem (TLS_CA_FILE), DIR/service.pem (TLS_CERT_FILE) and DIR/service.key (TLS_KEY_FILE,
# mode 0600). Production certificates come from the operator's own CA, never from this script.
set -euo pipefail
dir=${1:?usage: scripts/dev-certs.sh DIR [NAME ...]}
shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(127.0.0.1 localhost)
san=""
for name in "${names[@]}"; do
  if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then entry="IP:$name"; else entry="DNS:$name"; fi
  san="${san:+$san,}$entry"
done
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -keyout "$dir/ca.key" -out "$dir/ca.pem" -subj "/CN=Linkage development CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$dir/service.key" -out "$dir/service.csr" -subj "/CN=${names[0]}" 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$san" >"$dir/service.ext"
openssl x509 -req -in "$dir/service.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 30 -out "$dir/service.pem" -extfile "$dir/service.ext" 2>/dev/null
rm -f "$dir/service.csr" "$dir/service.ext" "$dir/ca.srl"
chmod 644 "$dir/ca.pem" "$dir/service.pem"
echo "TLS_CERT_FILE=$dir/service.pem TLS_KEY_FILE=$dir/service.key TLS_CA_FILE=$dir/ca.pem  (names: ${names[*]})"
