#!/usr/bin/env bats
# pga-diag: the bundle's name, mode and contents, and that secrets planted in the config and the
# log (password, token, an unknown key) never appear in it.

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
