#!/usr/bin/env bash
# Makes the TLS material of a cluster: a CA in OUT (reused when OUT/ca.pem and OUT/ca.key exist)
# and, per rig, OUT/<rig>/ with ca.pem, rig.pem and rig.key. Start a rig with
# RIGSERVE_TLS_DIR=OUT/<rig>. Running it again for a rig rotates that rig's key and certificate.
#
#   deploy/certs.sh OUT RIG...     RIG = name[@owner][=host,host...]
#
#   name   the rig's name (certificate CN and folder name)
#   owner  who runs the rig (certificate O=); default: the rig's name, so rigs without an owner
#          never count as having the same one
#   host   the DNS names and IP addresses other rigs dial (subjectAltName); default
#          localhost,127.0.0.1
#
# Every rig certificate also carries the cluster's name (the CA's CN, RIGSERVE_CLUSTER_NAME for a
# new CA, default "rigserve") as a DNS name: Pekko's rotating-keys provider accepts a peer only if
# it shares a subject name (CN or DNS name) with the rig's own certificate.
# Keys are RSA (RIGSERVE_KEY_BITS, default 2048) in PKCS#8 PEM; rig certificates are issued
# directly by the CA and valid RIGSERVE_CERT_DAYS days (default 365); the CA 3650 days.
# Needs openssl only. OUT/ca.key signs new rigs: keep it off the rigs.
set -euo pipefail

usage() { echo "usage: $0 OUT RIG...   (RIG = name[@owner][=host,host...])" >&2; exit 2; }
[ $# -ge 2 ] || usage
out=$1; shift
bits=${RIGSERVE_KEY_BITS:-2048}
days=${RIGSERVE_CERT_DAYS:-365}
[ "$bits" -ge 2048 ] 2>/dev/null || { echo "certs.sh: RIGSERVE_KEY_BITS must be 2048 or more" >&2; exit 2; }
safe='^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'

# Sets name, owner and hosts from one RIG argument, or stops naming what is wrong.
parse() {
  local spec=$1
  hosts=localhost,127.0.0.1
  if [[ $spec == *=* ]]; then hosts=${spec#*=}; spec=${spec%%=*}; fi
  name=${spec%%@*}
  owner=$name
  if [[ $spec == *@* ]]; then owner=${spec#*@}; fi
  [[ $name =~ $safe ]] || { echo "certs.sh: rig name '$name' must match $safe" >&2; exit 2; }
  [[ $owner =~ $safe ]] || { echo "certs.sh: owner '$owner' must match $safe" >&2; exit 2; }
  [[ $hosts =~ ^[A-Za-z0-9.:,-]+$ ]] || { echo "certs.sh: hosts '$hosts' must be DNS names or IPs, comma-separated" >&2; exit 2; }
}
for spec in "$@"; do parse "$spec"; done   # every argument is checked before anything is written

mkdir -p "$out"
umask 077
if [ -f "$out/ca.pem" ] && [ -f "$out/ca.key" ]; then
  cluster=$(openssl x509 -in "$out/ca.pem" -noout -subject -nameopt RFC2253 | sed -n 's/^subject=.*CN=\([^,]*\).*$/\1/p')
  [ -n "$cluster" ] || { echo "certs.sh: $out/ca.pem has no CN" >&2; exit 1; }
  echo "reusing the CA of cluster '$cluster' in $out"
else
  cluster=${RIGSERVE_CLUSTER_NAME:-rigserve}
  [[ $cluster =~ $safe ]] || { echo "certs.sh: cluster name '$cluster' must match $safe" >&2; exit 2; }
  openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:"$bits" -out "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days 3650 -subj "/O=$cluster/CN=$cluster" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.pem"
  chmod 644 "$out/ca.pem"
  echo "made a CA for cluster '$cluster' in $out"
fi

for spec in "$@"; do
  parse "$spec"
  san="DNS:$cluster"
  IFS=, read -r -a list <<< "$hosts"
  for h in "${list[@]}"; do
    [ -n "$h" ] || continue
    if [[ $h =~ ^[0-9.]+$ || $h == *:* ]]; then san="$san,IP:$h"; else san="$san,DNS:$h"; fi
  done

  dir="$out/$name"
  mkdir -p "$dir"
  next=$(mktemp -d "$dir/.next.XXXXXX")
  openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:"$bits" -out "$next/rig.key"
  cat > "$next/ext.cnf" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = $san
EOF
  openssl req -new -key "$next/rig.key" -subj "/O=$owner/CN=$name" -out "$next/rig.csr"
  openssl x509 -req -in "$next/rig.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 \
    -extfile "$next/ext.cnf" -out "$next/rig.pem" 2>/dev/null
  cp "$out/ca.pem" "$next/ca.pem"
  chmod 644 "$next/ca.pem" "$next/rig.pem"
  # Each file is replaced by a rename, so a reader sees a whole old or a whole new file.
  mv -f "$next/ca.pem" "$dir/ca.pem"
  mv -f "$next/rig.key" "$dir/rig.key"
  mv -f "$next/rig.pem" "$dir/rig.pem"
  rm -rf "$next"
  echo "rig $name (owner $owner, $san) in $dir"
done
