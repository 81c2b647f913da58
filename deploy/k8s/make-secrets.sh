#!/bin/sh
# Creates the files kustomization.yaml makes its Secrets from, in deploy/k8s/secrets/ (git-ignored),
# leaving any that exist alone. Run it once per district, on a trusted machine, then keep the folder
# as you keep any key (the pseudonym key especially: Party ids derived under another key match nothing).
set -eu
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
cd secrets
ed25519() { [ -e "$1" ] || openssl genpkey -algorithm ed25519 -out "$1"; }
# The gateway's assertion key pair, and each service's audit signing key.
ed25519 gateway_assertion_key.pem
[ -e gateway_assertion_public_key.pem ] || openssl pkey -in gateway_assertion_key.pem -pubout -out gateway_assertion_public_key.pem
for service in gateway government court procuratorate; do ed25519 "audit_${service}_key.pem"; done
# The district's pseudonym key (HMAC-SHA256 of national ID numbers).
[ -e pseudonym_key ] || openssl rand -base64 32 > pseudonym_key
for db in government court procuratorate audit; do
  # Passwords go into connection strings: hex (nothing to escape), and no trailing newline.
  [ -e "$db-db-root-password" ] || printf %s "$(openssl rand -hex 32)" > "$db-db-root-password"
  [ -e "$db-db-password" ] || printf %s "$(openssl rand -hex 32)" > "$db-db-password"
  # The replica set members' shared key (MongoDB: 6 to 1024 base64 characters).
  [ -e "$db-db-keyfile" ] || openssl rand -base64 756 > "$db-db-keyfile"
done
echo "deploy/k8s/secrets: $(ls | wc -l) files"
