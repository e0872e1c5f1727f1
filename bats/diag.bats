#!/usr/bin/env bats
# pga-diag: the bundle's name, mode and contents, and that secrets planted in the config and the
# log (password, token, registration secret, unknown keys) never appear in it; a secret that
# would still appear stops the bundle.

load helpers/common
load helpers/tools

setup_file() { tools_pg_start; }
teardown_file() { tools_pg_stop; }

@test "the bundle is 0600, holds every section, and no planted secret" {
    pw=$(<"$PGA_PG_MONITOR_PASSWORD_FILE")
    mkdir -p "$BATS_TEST_TMPDIR/state" "$BATS_TEST_TMPDIR/log" "$BATS_TEST_TMPDIR/out"
    cfg=$(write_config canary.toml "[collector]
state_dir = \"$BATS_TEST_TMPDIR/state\"
log_file = \"$BATS_TEST_TMPDIR/log/collector.log\"
[postgresql]
host = \"$PGA_PG_HOST\"
port = $PGA_PG_PORT
user = \"pga_monitor\"
password = \"$pw\"
[backend]
url = \"http://127.0.0.1:1\"
token = \"CANARY-TOKEN-8f3a2b\"
connect_timeout = 1")
    now=$(date -u +'%Y-%m-%d %H:%M:%S')
    printf '[%s] [info] connecting with password=%s\n[%s] [warning] Authorization: Bearer CANARY-TOKEN-8f3a2b\n[%s] [info] conninfo token=OTHER-CANARY-77 done\n' \
        "$now" "$pw" "$now" "$now" >"$BATS_TEST_TMPDIR/log/collector.log"
    echo '{"last_cycle":{"duration_ms":1}}' >"$BATS_TEST_TMPDIR/state/status.json"
    run "$PGA_BIN/pga-diag" -c "$cfg" --output "$BATS_TEST_TMPDIR/out"
    [ "$status" -eq 0 ]
    bundle=$output
    [[ "$bundle" == "$BATS_TEST_TMPDIR/out/pganalytics-diag-"*".tar.gz" ]]
    [ "$(stat -c %a "$bundle")" = 600 ]
    mkdir "$BATS_TEST_TMPDIR/x" && tar xzf "$bundle" -C "$BATS_TEST_TMPDIR/x"
    d=$(echo "$BATS_TEST_TMPDIR"/x/*)
    for f in config.toml.redacted collector.log status.json spool.txt validate.json postgresql.txt system.txt \
             process.txt versions.txt manifest.json; do
        [ -s "$d/$f" ]
    done
    run grep -r -F "$pw" "$BATS_TEST_TMPDIR/x"
    [ "$status" -eq 1 ]
    run grep -r -F "CANARY-TOKEN-8f3a2b" "$BATS_TEST_TMPDIR/x"
    [ "$status" -eq 1 ]
    run grep -r -F "OTHER-CANARY-77" "$BATS_TEST_TMPDIR/x"
    [ "$status" -eq 1 ]
    grep -q "postgresql.user = 'pga_monitor'" "$d/config.toml.redacted"
    grep -q 'postgresql.password = "<redacted>"' "$d/config.toml.redacted"
    grep -q 'pg_stat_statements' "$d/postgresql.txt"
    grep -q '"checks"' "$d/validate.json"
}

@test "a bad --since is a usage error" {
    run "$PGA_BIN/pga-diag" -c /nonexistent.toml --since 5x
    [ "$status" -eq 2 ]
    [[ "$output" == *"--since 5x is not a duration"* ]]
}

@test "secrets under unknown keys, the registration secret and bare secrets in the log stay out" {
    pw=$(<"$PGA_PG_MONITOR_PASSWORD_FILE")
    mkdir -p "$BATS_TEST_TMPDIR/state" "$BATS_TEST_TMPDIR/log" "$BATS_TEST_TMPDIR/out"
    printf 'REGSECRET-CANARY-5d1e\n' >"$BATS_TEST_TMPDIR/reg.secret" && chmod 600 "$BATS_TEST_TMPDIR/reg.secret"
    cfg=$(write_config unknown.toml "[collector]
state_dir = \"$BATS_TEST_TMPDIR/state\"
log_file = \"$BATS_TEST_TMPDIR/log/collector.log\"
[postgresql]
host = \"$PGA_PG_HOST\"
port = $PGA_PG_PORT
user = \"pga_monitor\"
password_file = \"$PGA_PG_MONITOR_PASSWORD_FILE\"
[backend]
url = \"http://127.0.0.1:1\"
token = \"CANARY-TOKEN-19c4e7\"
registration_secret_file = \"$BATS_TEST_TMPDIR/reg.secret\"
api_key = \"UNKNOWN-KEY-CANARY-a0b1\"
connect_timeout = 1
[vault]
master = \"UNKNOWN-SECTION-CANARY-c2d3\"")
    now=$(date -u +'%Y-%m-%d %H:%M:%S')
    {
        printf '[%s] [error] login as pga_monitor with %s refused\n' "$now" "$pw"
        printf '[%s] [warning] backend said CANARY-TOKEN-19c4e7 is not valid\n' "$now"
        printf '[%s] [info] registering with REGSECRET-CANARY-5d1e\n' "$now"
    } >"$BATS_TEST_TMPDIR/log/collector.log"
    run "$PGA_BIN/pga-diag" -c "$cfg" --output "$BATS_TEST_TMPDIR/out"
    [ "$status" -eq 0 ]
    [[ "$output" == *"warning: unknown key backend.api_key"* ]] # on stderr; the last line is the bundle
    [[ "$output" != *"UNKNOWN-KEY-CANARY"* ]]
    bundle=${lines[${#lines[@]} - 1]}
    mkdir "$BATS_TEST_TMPDIR/x" && tar xzf "$bundle" -C "$BATS_TEST_TMPDIR/x"
    d=$(echo "$BATS_TEST_TMPDIR"/x/*)
    for secret in "$pw" CANARY-TOKEN-19c4e7 REGSECRET-CANARY-5d1e UNKNOWN-KEY-CANARY-a0b1 UNKNOWN-SECTION-CANARY-c2d3; do
        run grep -r -l -F -- "$secret" "$BATS_TEST_TMPDIR/x"
        [ "$status" -eq 1 ]
    done
    grep -q 'backend.api_key = "<redacted>"' "$d/config.toml.redacted"
    grep -q 'vault.master = "<redacted>"' "$d/config.toml.redacted"
    grep -q "login as pga_monitor with <redacted> refused" "$d/collector.log"
    grep -q "registering with <redacted>" "$d/collector.log"
}

@test "a secret pasted into a non-secret key stops the bundle: nothing is written" {
    mkdir -p "$BATS_TEST_TMPDIR/state" "$BATS_TEST_TMPDIR/out"
    cfg=$(write_config pasted.toml "[collector]
state_dir = \"$BATS_TEST_TMPDIR/state\"
log_file = \"$BATS_TEST_TMPDIR/collector.log\"
hostname = \"PASTED-TOKEN-7e6f\"
[postgresql]
host = \"$PGA_PG_HOST\"
port = $PGA_PG_PORT
user = \"pga_monitor\"
password_file = \"$PGA_PG_MONITOR_PASSWORD_FILE\"
[backend]
url = \"http://127.0.0.1:1\"
token = \"PASTED-TOKEN-7e6f\"
connect_timeout = 1")
    run "$PGA_BIN/pga-diag" -c "$cfg" --output "$BATS_TEST_TMPDIR/out"
    [ "$status" -eq 1 ]
    [[ "$output" == *"a configured secret would appear in config.toml.redacted: nothing written"* ]]
    [[ "$output" != *"PASTED-TOKEN-7e6f"* ]]
    [ -z "$(ls -A "$BATS_TEST_TMPDIR/out")" ]
}
