#!/usr/bin/env bash
# Make a throw-away CA and a server certificate for e2e/internet/server.js.
#
#   bash e2e/internet/make-cert.sh OUT_DIR HOST...
#   e.g. bash e2e/internet/make-cert.sh e2e/.work/run-x/tls cloud.debian.org deb.debian.org
#
# Writes OUT_DIR/ca.pem (+ ca.key), OUT_DIR/server.pem and OUT_DIR/server.key: ECDSA P-256,
# the server certificate signed by the CA with a subjectAltName for every HOST (DNS names, or
# IP addresses), extendedKeyUsage serverAuth. Clients trust it through the CA: Go programs
# such as terraform-provider-libvirt with SSL_CERT_FILE=OUT_DIR/ca.pem, curl with --cacert,
# apt with Acquire::https::CAInfo. The CA is reused while OUT_DIR has it; the server
# certificate while the host list is the same. Prints OUT_DIR/ca.pem last on stdout.
set -euo pipefail

log() { printf '[make-cert] %s\n' "$*" >&2; }
if (($# < 2)); then
  echo "usage: $0 OUT_DIR HOST..." >&2
  exit 2
fi
command -v openssl >/dev/null || {
  log "openssl not found: install it with \`apt-get install openssl\`"
  exit 1
}
out=$1
shift
mapfile -t hosts < <(printf '%s\n' "$@" | sort -u)
mkdir -p "$out"
umask 077

san=
for h in "${hosts[@]}"; do
  if [[ $h =~ ^[0-9]+(\.[0-9]+){3}$ || $h == *:* ]]; then san+=",IP:$h"; else san+=",DNS:$h"; fi
done
san=${san#,}

if [[ ! -s $out/ca.pem || ! -s $out/ca.key ]]; then
  log "making a CA in $out"
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$out/ca.key" -out "$out/ca.pem" -days 3650 -subj '/CN=lvs-dr-lab e2e CA' \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -addext 'subjectKeyIdentifier=hash' 2>/dev/null
  rm -f "$out/server.pem" "$out/server.hosts"
fi

if [[ -s $out/server.pem && -s $out/server.key && -f $out/server.hosts && $(cat "$out/server.hosts") == "$san" ]] &&
  openssl verify -CAfile "$out/ca.pem" "$out/server.pem" >/dev/null 2>&1; then
  log "reusing $out/server.pem ($san)"
else
  log "making a server certificate for $san"
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$out/server.key" -out "$out/server.csr" -subj "/CN=${hosts[0]}" 2>/dev/null
  cat >"$out/server.ext" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
subjectAltName = $san
EOF
  openssl x509 -req -in "$out/server.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" \
    -set_serial "0x$(openssl rand -hex 15)" -days 825 -sha256 -extfile "$out/server.ext" \
    -out "$out/server.pem" 2>/dev/null
  rm -f "$out/server.csr" "$out/server.ext"
  printf '%s\n' "$san" >"$out/server.hosts"
  openssl verify -CAfile "$out/ca.pem" "$out/server.pem" >/dev/null
fi
# The certificates are public; the keys stay 0600.
chmod 0644 "$out/ca.pem" "$out/server.pem"
echo "$out/ca.pem"
