#!/bin/bash
# make_test_certs.sh DIR [--force]
#
# Creates the TLS material the test backend and the TLS tests use, with openssl:
#   ca.crt/ca.key                    test CA (trusted by the tests)
#   server.crt/server.key            server cert for 127.0.0.1 and localhost, signed by the test CA
#   untrusted-ca.crt/.key            a second, untrusted CA
#   untrusted-server.crt/.key        server cert (right names) signed by the untrusted CA
#   wrong-name.crt/.key              server cert for wrong.example only, signed by the test CA
#   expired.crt/.key                 server cert (right names) signed by the test CA, expired in 2021
#   client.crt/client.key            client cert (CN pga-test-collector) signed by the test CA, for mTLS
#   untrusted-client.crt/.key        client cert signed by the untrusted CA
# Idempotent: when every file is present and the CA is valid for another day, nothing is redone;
# otherwise (or with --force) the whole set is regenerated so that it stays consistent.
set -euo pipefail

usage() {
    echo "usage: $0 DIR [--force]" >&2
    exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    usage
fi
dir=$1
force=${2:-}
[ -z "$force" ] || [ "$force" = "--force" ] || usage

files="ca untrusted-ca server untrusted-server wrong-name expired client untrusted-client"

is_complete() {
    local name
    for name in $files; do
        [ -s "$dir/$name.crt" ] && [ -s "$dir/$name.key" ] || return 1
    done
    openssl x509 -checkend 86400 -noout -in "$dir/ca.crt" >/dev/null 2>&1 &&
        openssl x509 -checkend 86400 -noout -in "$dir/server.crt" >/dev/null 2>&1
}

write_config() {
    cat >"$1" <<'EOF'
[ req ]
distinguished_name = dn
prompt = no

[ dn ]
CN = placeholder

[ ext_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ ext_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost

[ ext_wrong_name ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example

[ ext_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth

# used only by "openssl ca" for the expired certificate
[ ca ]
default_ca = test_ca

[ test_ca ]
database = $ENV::CA_DIR/index.txt
new_certs_dir = $ENV::CA_DIR
serial = $ENV::CA_DIR/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none

[ policy_any ]
commonName = supplied
EOF
}

new_key() {
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
    chmod 600 "$1"
}

make_ca() { # name CN
    new_key "$work/$1.key"
    openssl req -config "$work/openssl.cnf" -new -x509 -key "$work/$1.key" -subj "/CN=$2" \
        -days 3650 -sha256 -extensions ext_ca -out "$work/$1.crt"
}

make_leaf() { # name CN ca extensions
    new_key "$work/$1.key"
    openssl req -config "$work/openssl.cnf" -new -key "$work/$1.key" -subj "/CN=$2" \
        -out "$work/$1.csr"
    openssl x509 -req -in "$work/$1.csr" -CA "$work/$3.crt" -CAkey "$work/$3.key" \
        -CAcreateserial -days 825 -sha256 -extfile "$work/openssl.cnf" -extensions "$4" \
        -out "$work/$1.crt" 2>/dev/null
}

make_expired() { # name CN ca: valid 2020-01-01 .. 2021-01-01
    new_key "$work/$1.key"
    openssl req -config "$work/openssl.cnf" -new -key "$work/$1.key" -subj "/CN=$2" \
        -out "$work/$1.csr"
    : >"$CA_DIR/index.txt"
    echo 1000 >"$CA_DIR/serial"
    openssl ca -batch -config "$work/openssl.cnf" -notext \
        -cert "$work/$3.crt" -keyfile "$work/$3.key" -in "$work/$1.csr" -out "$work/$1.crt" \
        -startdate 20200101000000Z -enddate 20210101000000Z -extensions ext_server 2>/dev/null
}

check_set() {
    openssl verify -CAfile "$work/ca.crt" "$work/server.crt" "$work/wrong-name.crt" \
        "$work/client.crt" >/dev/null
    openssl verify -CAfile "$work/untrusted-ca.crt" "$work/untrusted-server.crt" \
        "$work/untrusted-client.crt" >/dev/null
    if openssl x509 -checkend 0 -noout -in "$work/expired.crt" >/dev/null; then
        echo "$0: expired.crt is not expired" >&2
        return 1
    fi
}

if [ -z "$force" ] && is_complete; then
    echo "test certificates in $dir are up to date"
    exit 0
fi

mkdir -p "$dir"
work=$(mktemp -d "$dir/.certs.XXXXXX")
trap 'rm -rf "$work"' EXIT
# openssl.cnf refers to $ENV::CA_DIR (the "openssl ca" database); it must be set for every command
export CA_DIR="$work/ca-db"
mkdir -p "$CA_DIR"

write_config "$work/openssl.cnf"
make_ca ca "pga test CA"
make_ca untrusted-ca "pga untrusted CA"
make_leaf server localhost ca ext_server
make_leaf untrusted-server localhost untrusted-ca ext_server
make_leaf wrong-name wrong.example ca ext_wrong_name
make_expired expired localhost ca
make_leaf client pga-test-collector ca ext_client
make_leaf untrusted-client pga-test-collector untrusted-ca ext_client
check_set

for name in $files; do
    mv -f "$work/$name.key" "$dir/$name.key"
    mv -f "$work/$name.crt" "$dir/$name.crt"
done
echo "test certificates written to $dir"
