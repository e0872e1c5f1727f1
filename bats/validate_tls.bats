#!/usr/bin/env bats
# pga-validate --only tls on certificates made with openssl in the test's temp dir: a good chain
# (offline and served by the test backend over mTLS), an unreadable file, a client or server chain
# that does not verify against tls.ca_file, a key that does not match, a certificate that expires
# within the 30-day warning window and one that has expired.

load helpers/common
load helpers/backend

setup() {
    T="$BATS_TEST_TMPDIR/tls"
    mkdir -p "$T/issued"
    : >"$T/index.txt"
    echo 1000 >"$T/serial"
    cat >"$T/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $T/index.txt
new_certs_dir = $T/issued
serial = $T/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
x509_extensions = ext_leaf
[ policy_any ]
commonName = supplied
[ ext_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF
    make_ca ca
    BACKEND_PID=""
}

teardown() { backend_stop; }

# make_ca NAME: a self-signed CA, $T/NAME.crt and $T/NAME.key.
make_ca() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T/$1.key" \
        -out "$T/$1.crt" -days 3650 -subj "/CN=pga test $1" 2>/dev/null
}

# make_leaf NAME CA START END: a leaf for localhost/127.0.0.1 signed by CA, valid from START to
# END (openssl ca dates, YYYYMMDDHHMMSSZ), in $T/NAME.crt and $T/NAME.key.
make_leaf() {
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T/$1.key" \
        -out "$T/$1.csr" -subj "/CN=$1" 2>/dev/null
    openssl ca -batch -config "$T/ca.cnf" -notext -cert "$T/$2.crt" -keyfile "$T/$2.key" \
        -in "$T/$1.csr" -out "$T/$1.crt" -startdate "$3" -enddate "$4" 2>/dev/null
    [ -s "$T/$1.crt" ]
}

# at OFFSET: an openssl ca date relative to now (`date -d` syntax, e.g. "-1 day", "+10 days").
at() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# tls_config NAME URL CA CERT KEY: a config whose [tls] names the given files ("" leaves one out).
tls_config() {
    write_config "$1" "[collector]
state_dir = \"$BATS_TEST_TMPDIR/state\"
[backend]
url = \"$2\"
token = \"t0ken-for-tls-tests\"
connect_timeout = 2
[tls]
${3:+ca_file = \"$T/$3\"}
${4:+cert_file = \"$T/$4\"}
${5:+key_file = \"$T/$5\"}" 644
}

@test "a readable good chain is ok with exit 0" {
    make_leaf client ca "$(at '-1 day')" "$(at '+365 days')"
    cfg=$(tls_config good.toml http://127.0.0.1:1 ca.crt client.crt client.key)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only tls
    [ "$status" -eq 0 ]
    [[ "$output" == *"ok      tls.ca_file"*"$T/ca.crt holds 1 certificate(s)"* ]]
    [[ "$output" == *"ok      tls.client_chain"*"client certificate verifies against tls.ca_file"* ]]
    [[ "$output" == *"ok      tls.key_file"*"private key matches the client certificate"* ]]
    [[ "$output" == *"ok      tls.expiry"*"client certificate /CN=client valid for 36"[0-9]" more days"* ]]
    [[ "$output" == *"summary: "*" 0 warnings, 0 errors"* ]]
}

@test "an mTLS backend serving a chain from tls.ca_file verifies end to end" {
    make_leaf server ca "$(at '-1 day')" "$(at '+365 days')"
    make_leaf client ca "$(at '-1 day')" "$(at '+365 days')"
    backend_start --tls-cert "$T/server.crt" --tls-key "$T/server.key" --client-ca "$T/ca.crt"
    [[ "$BACKEND_URL" == https://* ]]
    cfg=$(tls_config mtls.toml "$BACKEND_URL" ca.crt client.crt client.key)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only tls
    [ "$status" -eq 0 ]
    [[ "$output" == *"ok      tls.server_chain"*"backend certificate chain verifies"* ]]
    [[ "$output" == *"ok      tls.expiry"*"backend certificate /CN=server valid for 36"[0-9]" more days"* ]]
}

@test "an unreadable CA file is an error naming the file" {
    chmod 000 "$T/ca.crt"
    cfg=$(tls_config unreadable.toml http://127.0.0.1:1 ca.crt)
    if [ "$(id -u)" -eq 0 ]; then
        # root reads any file: run as nobody, who can reach the temp dir but not the CA file
        chmod o+x "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR/test" "$BATS_TEST_TMPDIR" "$T"
        run setpriv --reuid=65534 --regid=65534 --clear-groups -- "$PGA_BIN/pga-validate" -c "$cfg" --only tls
    else
        run "$PGA_BIN/pga-validate" -c "$cfg" --only tls
    fi
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   tls.ca_file"*"cannot read tls.ca_file $T/ca.crt: Permission denied"* ]]
    [[ "$output" == *"hint: make the file readable by the user the collector runs as"* ]]
}

@test "a file that is not PEM is an error naming the file, a missing key file too" {
    make_leaf client ca "$(at '-1 day')" "$(at '+365 days')"
    echo "not a certificate" >"$T/junk.crt"
    cfg=$(tls_config junk.toml http://127.0.0.1:1 junk.crt client.crt missing.key)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only tls
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   tls.ca_file"*"$T/junk.crt holds no PEM certificate"* ]]
    [[ "$output" == *"error   tls.key_file"*"cannot read tls.key_file $T/missing.key: No such file or directory"* ]]
}

@test "a client certificate from another CA does not verify against tls.ca_file" {
    make_ca other
    make_leaf client other "$(at '-1 day')" "$(at '+365 days')"
    cfg=$(tls_config chain.toml http://127.0.0.1:1 ca.crt client.crt client.key)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only tls
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   tls.client_chain"*"client certificate does not verify against tls.ca_file: unable to get local issuer certificate"* ]]
    [[ "$output" == *"ok      tls.key_file"* ]]
}

@test "a backend serving a chain from another CA fails the TLS handshake" {
    make_ca other
    make_leaf server other "$(at '-1 day')" "$(at '+365 days')"
    backend_start --tls-cert "$T/server.crt" --tls-key "$T/server.key"
    cfg=$(tls_config server.toml "$BACKEND_URL" ca.crt)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only tls
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   tls.server_chain"*"TLS to the backend failed: "* ]]
    [[ "$output" == *"hint: set tls.ca_file to the CA that issued the backend's certificate"* ]]
}

@test "a key that does not belong to the certificate is an error" {
    make_leaf client ca "$(at '-1 day')" "$(at '+365 days')"
    make_leaf other ca "$(at '-1 day')" "$(at '+365 days')"
    cfg=$(tls_config mismatch.toml http://127.0.0.1:1 ca.crt client.crt other.key)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only tls
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   tls.key_file"*"$T/other.key does not match $T/client.crt"* ]]
}

@test "a certificate expiring within 30 days is a warning with exit 1" {
    make_leaf client ca "$(at '-1 day')" "$(at '+10 days')"
    cfg=$(tls_config soon.toml http://127.0.0.1:1 ca.crt client.crt client.key)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only tls
    [ "$status" -eq 1 ]
    [[ "$output" == *"warning tls.expiry"*"client certificate /CN=client expires in "[0-9]*" days"* ]]
    [[ "$output" == *"hint: renew the certificate soon"* ]]
    [[ "$output" == *"summary: "*" 1 warnings, 0 errors"* ]]
}

@test "a backend certificate expiring within 30 days is a warning" {
    make_leaf server ca "$(at '-1 day')" "$(at '+5 days')"
    backend_start --tls-cert "$T/server.crt" --tls-key "$T/server.key"
    cfg=$(tls_config server-soon.toml "$BACKEND_URL" ca.crt)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only tls
    [ "$status" -eq 1 ]
    [[ "$output" == *"ok      tls.server_chain"* ]]
    [[ "$output" == *"warning tls.expiry"*"backend certificate /CN=server expires in "[0-9]*" days"* ]]
}

@test "an expired certificate is an error" {
    make_leaf client ca 20200101000000Z 20210101000000Z
    cfg=$(tls_config expired.toml http://127.0.0.1:1 ca.crt client.crt client.key)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only tls
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   tls.expiry"*"client certificate /CN=client has expired"* ]]
    [[ "$output" == *"hint: renew the certificate"* ]]
    [[ "$output" == *"error   tls.client_chain"*"certificate has expired"* ]]
}

@test "--json carries each TLS check with its status" {
    make_leaf client ca 20200101000000Z 20210101000000Z
    cfg=$(tls_config json.toml http://127.0.0.1:1 ca.crt client.crt client.key)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only tls --json
    [ "$status" -eq 2 ]
    got=$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(sorted({(c["name"], c["status"]) for c in d["checks"] if c["section"] == "tls"}), d["exit_code"])')
    [[ "$got" == *"('tls.client_chain', 'error')"* ]]
    [[ "$got" == *"('tls.expiry', 'error')"* ]]
    [[ "$got" == *"('tls.key_file', 'ok')"* ]]
    [[ "$got" == *"] 2" ]]
}

@test "an encrypted key is an error, also on a terminal, where nothing prompts for a pass phrase" {
    make_leaf client ca "$(at '-1 day')" "$(at '+365 days')"
    openssl pkey -in "$T/client.key" -aes256 -passout pass:key-pass-phrase -out "$T/encrypted.key"
    cfg=$(tls_config encrypted.toml http://127.0.0.1:1 ca.crt client.crt encrypted.key)
    # script(1) gives pga-validate a terminal; a pass phrase prompt would wait there until the timeout
    run timeout 20 script -qec "$PGA_BIN/pga-validate -c $cfg --only tls" /dev/null </dev/null
    [ "$status" -eq 2 ]
    [[ "$output" == *"tls.key_file"*"$T/encrypted.key holds no unencrypted PEM private key"* ]]
    [[ "$output" != *"pass phrase"* ]]
}
