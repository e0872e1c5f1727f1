#!/usr/bin/env bats
# `pganalytics register [--force]` against the test backend: what it prints, what it stores and
# with which modes, when it refuses, and that secrets never reach the output.

load helpers/common
load helpers/backend

SECRET=bats-registration-secret

setup_file() {
    backend_start --registration-secret "$SECRET"
}

teardown_file() {
    backend_stop
}

setup() {
    backend_control POST /_test/reset >/dev/null
    printf '%s\n' "$SECRET" >"$BATS_TEST_TMPDIR/secret"
    chmod 600 "$BATS_TEST_TMPDIR/secret"
    STATE="$BATS_TEST_TMPDIR/state"
    CONFIG=$(write_config collector.toml "[collector]
state_dir = \"$STATE\"
log_file = \"\"
[backend]
url = \"$BACKEND_URL\"
registration_secret_file = \"$BATS_TEST_TMPDIR/secret\"")
}

@test "register prints the collector id and stores a private identity" {
    run "$PGA_BIN/pganalytics" -c "$CONFIG" register
    [ "$status" -eq 0 ]
    id=$(json_get "$(cat "$STATE/identity.json")" 'd["collector_id"]')
    [[ "$output" == *"Collector ID: $id"* ]]
    token=$(cat "$STATE/token")
    [[ "$output" != *"$token"* ]]
    [[ "$output" != *"PRIVATE KEY"* ]]
    [ "$(stat -c %a "$STATE/token")" = 600 ]
    [ "$(stat -c %a "$STATE/collector.key")" = 600 ]
    [ "$(stat -c %a "$STATE/collector.crt")" = 600 ]
}

@test "register refuses to replace an identity without --force" {
    "$PGA_BIN/pganalytics" -c "$CONFIG" register
    first=$(json_get "$(cat "$STATE/identity.json")" 'd["collector_id"]')
    run "$PGA_BIN/pganalytics" -c "$CONFIG" register
    [ "$status" -eq 1 ]
    [[ "$output" == *"already stored"*"$first"* ]]
    [[ "$output" == *"hint:"*"--force"* ]]
    run "$PGA_BIN/pganalytics" -c "$CONFIG" register --force
    [ "$status" -eq 0 ]
    second=$(json_get "$(cat "$STATE/identity.json")" 'd["collector_id"]')
    [ "$first" != "$second" ]
    [ "$(json_get "$(backend_control GET /_test/ledger)" 'd["register_count"]')" = 2 ]
}

@test "a wrong secret is refused with the backend's answer and never echoed" {
    printf 'not-the-secret\n' >"$BATS_TEST_TMPDIR/secret"
    run "$PGA_BIN/pganalytics" -c "$CONFIG" register
    [ "$status" -eq 1 ]
    [[ "$output" == *"HTTP 401"* ]]
    [[ "$output" != *"not-the-secret"* ]]
    [ ! -e "$STATE/identity.json" ]
}

@test "REGISTRATION_SECRET from the environment works" {
    CONFIG=$(write_config env.toml "[collector]
state_dir = \"$STATE\"
log_file = \"\"
[backend]
url = \"$BACKEND_URL\"")
    REGISTRATION_SECRET="$SECRET" run "$PGA_BIN/pganalytics" -c "$CONFIG" register
    [ "$status" -eq 0 ]
    [[ "$output" == *"Collector ID: "* ]]
}

@test "without a registration secret register explains what to set" {
    CONFIG=$(write_config none.toml "[collector]
state_dir = \"$STATE\"
log_file = \"\"
[backend]
url = \"$BACKEND_URL\"")
    run env -u REGISTRATION_SECRET "$PGA_BIN/pganalytics" -c "$CONFIG" register
    [ "$status" -eq 78 ]
    [[ "$output" == *"no registration secret"* ]]
    [[ "$output" == *"hint:"*"registration_secret_file"* ]]
}

@test "an unreachable backend is a failure naming the url" {
    CONFIG=$(write_config down.toml "[collector]
state_dir = \"$STATE\"
log_file = \"\"
[backend]
url = \"http://127.0.0.1:1\"
registration_secret_file = \"$BATS_TEST_TMPDIR/secret\"")
    run "$PGA_BIN/pganalytics" -c "$CONFIG" register
    [ "$status" -eq 1 ]
    [[ "$output" == *"registration with http://127.0.0.1:1 failed"* ]]
}
