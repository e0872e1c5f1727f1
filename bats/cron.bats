#!/usr/bin/env bats
# `pganalytics cron` on a real PostgreSQL: --once --dry-run prints one push body with the four core
# metric types and writes nothing, the guide's log lines, --once against the test backend writes the
# status file, the lock (a second instance exits 0 naming the first), SIGTERM and a bad config.

bats_require_minimum_version 1.5.0

load helpers/common
load helpers/backend
load helpers/collector

setup_file() {
    load helpers/pg
    pg_start
}

teardown_file() {
    load helpers/pg
    pg_stop
}

setup() {
    load helpers/pg
    pg_require
    [ -x "$PGA_BIN/pganalytics" ] || skip "pganalytics not built"
    STATE="$BATS_TEST_TMPDIR/state"
    LOG="$BATS_TEST_TMPDIR/collector.log"
    FIRST_PID=""
}

teardown() {
    [ -z "$FIRST_PID" ] || kill -9 "$FIRST_PID" 2>/dev/null || true
    backend_stop
}

# config [EXTRA TOML]: a collector config for the test server as pga_monitor.
config() {
    write_config collector.toml "[collector]
id = \"bats-collector\"
hostname = \"bats-host\"
state_dir = \"$STATE\"
log_file = \"$LOG\"
$(postgresql_toml)
$1"
}

# py EXPRESSION FILE: evaluates EXPRESSION with d = the JSON document in FILE.
py() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[2])); print(eval(sys.argv[1]))' "$1" "$2"
}

@test "cron --once --dry-run prints one push body with the four core types and sends nothing" {
    cfg=$(config)
    "$PGA_BIN/pganalytics" -c "$cfg" cron --once --dry-run >"$BATS_TEST_TMPDIR/out.json" 2>"$BATS_TEST_TMPDIR/err"
    out="$BATS_TEST_TMPDIR/out.json"
    [ "$(py 'd["collector_id"], d["hostname"], d["sequence"]' "$out")" = "('bats-collector', 'bats-host', 1)" ]
    [ "$(py 'd["metrics_count"] == len(d["metrics"])' "$out")" = True ]
    [[ "$(py 'd["timestamp"]' "$out")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]
    [[ "$(py 'd["batch_id"]' "$out")" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
    for type in pg_query_stats pg_stats sysstat disk_usage; do
        [ "$(py "sorted({m['status'] for m in d['metrics'] if m['type'] == '$type'})" "$out")" = "['ok']" ]
    done
    [ "$(py '[m["database"] for m in d["metrics"] if m["type"] == "pg_query_stats"]' "$out")" = "['postgres']" ]
    [ "$(py 'all("status" in m and "timestamp" in m for m in d["metrics"])' "$out")" = True ]
    [ ! -e "$STATE" ] # a dry run writes nothing: no lock, no sequence, no status
}

@test "cron --once --dry-run leaves an existing state_dir untouched, pg_log's position included" {
    mkdir -p "$STATE"
    printf 'kept\n' >"$STATE/marker"
    cfg=$(config)
    "$PGA_BIN/pganalytics" -c "$cfg" cron --once --dry-run >"$BATS_TEST_TMPDIR/out.json" 2>"$BATS_TEST_TMPDIR/err"
    # pg_log ran (the test server is local) and reported no failure to save a position
    [ "$(py "sorted({m['status'] for m in d['metrics'] if m['type'] == 'pg_log'})" "$BATS_TEST_TMPDIR/out.json")" = "['ok']" ]
    [ "$(ls -A "$STATE")" = marker ]
    [ "$(cat "$STATE/marker")" = kept ]
}

@test "cron --dry-run logs the guide's lines" {
    cfg=$(config)
    run --separate-stderr "$PGA_BIN/pganalytics" -c "$cfg" --log-level debug cron --once --dry-run
    [ "$status" -eq 0 ]
    grep -q 'Starting collection loop (collect every 60s, push every 60s, config pull every 300s)' "$LOG"
    grep -q 'CollectorManager thread pool initialized with 4 threads' "$LOG"
    grep -q 'Collecting metrics\.\.\.' "$LOG"
    grep -q 'DEBUG .*Collecting query stats for database: postgres' "$LOG"
    grep -Eq 'Successfully collected [0-9]+ queries from postgres' "$LOG"
    grep -Eq 'Parallel collection completed in [0-9]+ms' "$LOG"
    grep -Eq 'Pool metrics - acquisitions: [0-9]+, reuses: [0-9]+, active: [0-9]+/10' "$LOG"
    ! grep -q "$(cat "$PGA_PG_MONITOR_PASSWORD_FILE")" "$LOG"
}

@test "thread_pool_size = 1 collects sequentially" {
    cfg=$(config "[collector_threading]
thread_pool_size = 1")
    run --separate-stderr "$PGA_BIN/pganalytics" -c "$cfg" cron --once --dry-run
    [ "$status" -eq 0 ]
    grep -q 'CollectorManager thread pool initialized with 1 threads' "$LOG"
}

@test "cron --once hands one batch to the backend and writes the status file" {
    backend_start --static-token bats-token
    printf 'bats-token\n' >"$BATS_TEST_TMPDIR/token" && chmod 600 "$BATS_TEST_TMPDIR/token"
    cfg=$(config "[backend]
url = \"$BACKEND_URL\"
token_file = \"$BATS_TEST_TMPDIR/token\"")
    run "$PGA_BIN/pganalytics" -c "$cfg" cron --once
    [ "$status" -eq 0 ]
    [ "$(py 'd["cycles"], d["last_cycle"]["sequence"]' "$STATE/status.json")" = "(1, 1)" ]
    for type in pg_query_stats pg_stats sysstat disk_usage; do
        [ "$(py "d['collectors']['$type']['status']" "$STATE/status.json")" = ok ]
    done
    [ "$(py 'd["pool"]["acquisitions"] > 0 and d["process"]["rss_bytes"] > 0' "$STATE/status.json")" = True ]
    [ "$(cat "$STATE/sequence")" = 1 ]
}

@test "a second cron on the same state_dir exits 0 saying which pid runs" {
    backend_start --static-token bats-token
    printf 'bats-token\n' >"$BATS_TEST_TMPDIR/token" && chmod 600 "$BATS_TEST_TMPDIR/token"
    cfg=$(config "[backend]
url = \"$BACKEND_URL\"
token_file = \"$BATS_TEST_TMPDIR/token\"")
    "$PGA_BIN/pganalytics" -c "$cfg" cron >"$BATS_TEST_TMPDIR/first.out" 2>&1 3>&- &
    FIRST_PID=$!
    for _ in $(seq 1 300); do
        grep -q 'Collecting metrics' "$LOG" 2>/dev/null && break
        sleep 0.1
    done
    grep -q 'Collecting metrics' "$LOG" # the first instance runs (and holds the lock) within 30 s
    run "$PGA_BIN/pganalytics" -c "$cfg" cron
    [ "$status" -eq 0 ]
    [ "$output" = "already running (pid $FIRST_PID)" ]
    kill -TERM "$FIRST_PID"
    wait "$FIRST_PID"
    FIRST_PID=""
    grep -q 'collection loop stopped' "$LOG"
}

@test "a killed instance leaves no stale lock behind" {
    backend_start --static-token bats-token
    printf 'bats-token\n' >"$BATS_TEST_TMPDIR/token" && chmod 600 "$BATS_TEST_TMPDIR/token"
    cfg=$(config "[backend]
url = \"$BACKEND_URL\"
token_file = \"$BATS_TEST_TMPDIR/token\"")
    "$PGA_BIN/pganalytics" -c "$cfg" cron >"$BATS_TEST_TMPDIR/first.out" 2>&1 3>&- &
    FIRST_PID=$!
    for _ in $(seq 1 100); do
        grep -q 'Collecting metrics' "$LOG" 2>/dev/null && break
        sleep 0.1
    done
    kill -9 "$FIRST_PID"
    wait "$FIRST_PID" || true
    FIRST_PID=""
    [ -e "$STATE/pganalytics.lock" ]
    run "$PGA_BIN/pganalytics" -c "$cfg" cron --once
    [ "$status" -eq 0 ]
    [[ "$output" != *"already running"* ]]
}

@test "cron with an invalid configuration exits 78 and names the problem" {
    cfg=$(write_config bad.toml "[postgresql]
pool_max_size = 0")
    run "$PGA_BIN/pganalytics" -c "$cfg" cron --once --dry-run
    [ "$status" -eq 78 ]
    [[ "$output" == *"pool_max_size"* ]]
}
