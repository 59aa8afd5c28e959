#!/usr/bin/env bash
# Makes an operator's Ed25519 deploy key pair in OUT: OUT/deploy.key (PKCS#8 PEM, the private key,
# for RIGSERVE_DEPLOY_KEY_FILE on the rigs the operator loads models from) and OUT/deploy.pub (the
# public key as one Base64 SPKI line). Append deploy.pub's line to the file every rig reads as
# RIGSERVE_TRUSTED_DEPLOY_KEYS_FILE; its key id is printed. Needs openssl only.
#
#   deploy/deploy-key.sh OUT
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
out=$1
mkdir -p "$out"
[ -e "$out/deploy.key" ] && { echo "deploy-key.sh: $out/deploy.key exists; remove it to make a new key" >&2; exit 1; }
umask 077
openssl genpkey -algorithm ed25519 -out "$out/deploy.key"
openssl pkey -in "$out/deploy.key" -pubout -outform DER | base64 | tr -d '\n' > "$out/deploy.pub"
echo >> "$out/deploy.pub"
chmod 644 "$out/deploy.pub"
id=$(base64 -d < "$out/deploy.pub" | sha256sum | cut -c1-16)
echo "deploy key $id: private $out/deploy.key, public $out/deploy.pub"
