#!/usr/bin/env bats
# pga-healthcheck from the status file and the lock holder: a collector not running, a fresh and
# a stale status file, growing RSS, --json, --textfile and --decide. The running collector is
# stood in for by `flock` holding state_dir/pganalytics.lock (the loop's own lock protocol).

load helpers/common

setup() {
    STATE="$BATS_TEST_TMPDIR/state"
    mkdir -p "$STATE"
    CFG=$(write_config hc.toml "[collector]
interval = 60
state_dir = \"$STATE\"
log_file = \"$BATS_TEST_TMPDIR/collector.log\"")
    HOLDER=""
}

teardown() {
    [ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null || true
}

hold_lock() {
    flock -x "$STATE/pganalytics.lock" sleep 120 3>&- &
    HOLDER=$!
    # until the background flock holds the lock (a try-lock then fails)
    for _ in $(seq 600); do flock -n "$STATE/pganalytics.lock" true || break; sleep 0.05; done
    if flock -n "$STATE/pganalytics.lock" true; then
        echo "the lock holder did not take the lock within 30 s" >&2
        return 1
    fi
    echo "$HOLDER" >"$STATE/pganalytics.lock"
}

# write_status AGE_S DURATION_MS [PUSH_AGE_S]
write_status() {
    local fin push
    fin=$(date -u -d "@$(( $(date +%s) - $1 ))" +%Y-%m-%dT%H:%M:%SZ)
    push=$(date -u -d "@$(( $(date +%s) - ${3:-10} ))" +%Y-%m-%dT%H:%M:%SZ)
    cat >"$STATE/status.json" <<JSON
{"version":"3.3.0","pid":$HOLDER,"started_at":"$fin",
 "last_cycle":{"started_at":"$fin","finished_at":"$fin","duration_ms":$2,"sequence":7,"metrics_count":4},
 "cycles":7,"skipped_ticks":0,
 "collectors":{"pg_query_stats":{"status":"ok","rows":10,"duration_ms":20,"errors":[]}},
 "pool":{"acquisitions":100,"reuses":95,"created":5,"failed":0,"closed":0,"active":0,"idle":2,"max_size":10},
 "process":{"rss_bytes":1000000,"cpu_percent":1.5},
 "delivery":{"last_success":"$push","spool":{"batches":0,"bytes":0,"dropped_total":0}}}
JSON
}

@test "a collector not running is CRITICAL with exit 2 and ROLLBACK under --decide" {
    run "$PGA_BIN/pga-healthcheck" -c "$CFG"
    [ "$status" -eq 2 ]
    [[ "$output" == "CRITICAL - collector is NOT running"* ]]
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --decide
    [ "$status" -eq 2 ]
    [[ "$output" == "ROLLBACK - collector won't start"* ]]
}

@test "a running collector with a fresh status is OK with perfdata, and CONTINUE" {
    hold_lock
    write_status 5 1200
    run "$PGA_BIN/pga-healthcheck" -c "$CFG"
    [ "$status" -eq 0 ]
    [[ "$output" == "OK - collector running (pid $HOLDER)"*"|"* ]]
    [[ "$output" == *"'cycle_duration'=1.2s;15;20"* ]]
    [[ "$output" == *"'pool_reuse'=95%"* ]]
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --decide
    [ "$status" -eq 0 ]
    [[ "$output" == "CONTINUE - deployment working"* ]]
}

@test "a stale status file is CRITICAL" {
    hold_lock
    write_status 3600 1200
    run "$PGA_BIN/pga-healthcheck" -c "$CFG"
    [ "$status" -eq 2 ]
    [[ "$output" == "CRITICAL - last cycle 36"[0-9][0-9]"s ago"* ]]
}

@test "a slow cycle warns at 15s and the thresholds are options" {
    hold_lock
    write_status 5 16000
    run "$PGA_BIN/pga-healthcheck" -c "$CFG"
    [ "$status" -eq 1 ]
    [[ "$output" == "WARNING - cycle took 16000ms"* ]]
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --cycle-warn-ms 17000
    [ "$status" -eq 0 ]
}

@test "RSS growing across recent samples warns and --decide says ROLLBACK (memory leak)" {
    hold_lock
    write_status 5 1200
    now=$(date +%s)
    printf '[{"unix_s":%d,"pid":%d,"rss_bytes":1000},{"unix_s":%d,"pid":%d,"rss_bytes":2000},{"unix_s":%d,"pid":%d,"rss_bytes":3000}]\n' \
        $((now - 180)) "$HOLDER" $((now - 120)) "$HOLDER" $((now - 60)) "$HOLDER" >"$STATE/healthcheck-history.json"
    run "$PGA_BIN/pga-healthcheck" -c "$CFG"
    [ "$status" -eq 1 ]
    [[ "$output" == *"RSS grew in each of the last 4 samples"* ]]
    printf '[{"unix_s":%d,"pid":%d,"rss_bytes":1000},{"unix_s":%d,"pid":%d,"rss_bytes":2000},{"unix_s":%d,"pid":%d,"rss_bytes":3000}]\n' \
        $((now - 180)) "$HOLDER" $((now - 120)) "$HOLDER" $((now - 60)) "$HOLDER" >"$STATE/healthcheck-history.json"
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --decide
    [ "$status" -eq 2 ]
    [[ "$output" == "ROLLBACK - memory leak"* ]]
}

@test "--json and --textfile carry the state" {
    hold_lock
    write_status 5 1200 900
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --json --textfile "$BATS_TEST_TMPDIR/pga.prom"
    [ "$status" -eq 2 ]
    [[ "$output" == *'"state": "CRITICAL"'* ]]
    [[ "$output" == *'"action": "ROLLBACK"'* ]]
    grep -q '^pganalytics_healthcheck_status 2$' "$BATS_TEST_TMPDIR/pga.prom"
    grep -q '^pganalytics_healthcheck_push_age_seconds 9' "$BATS_TEST_TMPDIR/pga.prom"
}
