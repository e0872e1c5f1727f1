#!/usr/bin/env bats
# pga-healthcheck on a real `pganalytics cron` (real PostgreSQL, the test backend): backend
# authentication failing with a bad token, an unreachable backend, a wrong PostgreSQL password, a
# killed collector, a stopped collector whose status file goes stale, and a real process whose RSS
# grows between healthcheck runs.

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
    DAEMON_PID=""
}

teardown() {
    if [ -n "$DAEMON_PID" ]; then
        kill -9 "$DAEMON_PID" 2>/dev/null || true
        wait "$DAEMON_PID" 2>/dev/null || true
    fi
    backend_stop
}

# start_daemon TOKEN [URL] [PASSWORD_FILE]: runs `pganalytics cron` (1 s cycles and pushes)
# against the test backend, which accepts only the token "live-good-token" for this collector id
# (or against URL), and waits for its first status file.
start_daemon() {
    backend_start --static-token live-good-token --static-collector-id 00000000-0000-4000-8000-00000000000a
    local url=${2:-$BACKEND_URL} pwfile=${3:-$PGA_PG_MONITOR_PASSWORD_FILE}
    printf '%s\n' "$1" >"$BATS_TEST_TMPDIR/token" && chmod 600 "$BATS_TEST_TMPDIR/token"
    CFG=$(write_config collector.toml "[collector]
id = \"00000000-0000-4000-8000-00000000000a\"
interval = 1
push_interval = 1
state_dir = \"$STATE\"
log_file = \"$LOG\"
$(postgresql_toml "$pwfile")
[backend]
url = \"$url\"
connect_timeout = 1
token_file = \"$BATS_TEST_TMPDIR/token\"")
    "$PGA_BIN/pganalytics" -c "$CFG" cron >"$BATS_TEST_TMPDIR/daemon.out" 2>&1 3>&- &
    DAEMON_PID=$!
    wait_for 'd["cycles"] >= 1'
}

# wait_for EXPRESSION: waits up to 60 s until EXPRESSION (python, d = the status file) is true.
wait_for() {
    local end=$((SECONDS + 60))
    while ((SECONDS < end)); do
        if python3 -c 'import json,sys; d=json.load(open(sys.argv[2])); sys.exit(0 if eval(sys.argv[1]) else 1)' \
            "$1" "$STATE/status.json" 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    echo "status file never satisfied: $1" >&2
    cat "$STATE/status.json" >&2 || true
    return 1
}

# check_state NAME JSON: prints the state of the named check in pga-healthcheck --json output.
check_state() {
    python3 -c 'import json,sys; d=json.loads(sys.argv[2]); print([c["state"] for c in d["checks"] if c["name"] == sys.argv[1]])' \
        "$1" "$2"
}

# wait_grown N: waits up to 30 s until the RSS stand-in has grown N times.
wait_grown() {
    local end=$((SECONDS + 30))
    while ((SECONDS < end)); do
        [ "$(cat "$BATS_TEST_TMPDIR/grown" 2>/dev/null)" = "$1" ] && return 0
        sleep 0.05
    done
    echo "the RSS stand-in did not reach $1 growths" >&2
    return 1
}

@test "a token the backend accepts leaves the auth check OK" {
    start_daemon live-good-token
    wait_for 'd["delivery"].get("last_success")'
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --json
    [ "$(check_state auth "$output")" = "['OK']" ]
    [ "$(check_state running "$output")" = "['OK']" ]
    [[ "$output" != *"authentication failing"* ]]
}

@test "a token the backend rejects is CRITICAL naming the authentication failure" {
    start_daemon live-bad-token
    wait_for 'd["delivery"]["auth"]["critical"] is True'
    run "$PGA_BIN/pga-healthcheck" -c "$CFG"
    [ "$status" -eq 2 ]
    [[ "$output" == "CRITICAL - "*"backend authentication failing (failed): the backend refused the credentials (HTTP 401"* ]]
    [[ "$output" != *"live-bad-token"* ]]
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --decide
    [ "$status" -eq 0 ]
    [[ "$output" == "CONTINUE - metrics not appearing: backend authentication failing"*"verify authentication"* ]]
}

@test "an unreachable backend: no successful push is CRITICAL once past the push-age threshold" {
    start_daemon live-good-token http://127.0.0.1:1
    wait_for 'd["delivery"]["requests"]["transport_error"] >= 1'
    sleep 3
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --push-age-warn 1 --push-age-crit 2
    [ "$status" -eq 2 ]
    [[ "$output" == "CRITICAL - "*"no successful push yet"* ]]
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --push-age-warn 1 --push-age-crit 2 --decide
    [ "$status" -eq 2 ]
    [[ "$output" == "ROLLBACK - metrics not appearing"* ]]
}

@test "a wrong PostgreSQL password shows as collector errors" {
    printf 'not-the-password\n' >"$BATS_TEST_TMPDIR/wrong.pw" && chmod 600 "$BATS_TEST_TMPDIR/wrong.pw"
    start_daemon live-good-token "" "$BATS_TEST_TMPDIR/wrong.pw"
    wait_for 'd["collectors"]["pg_stats"]["status"] == "error"'
    run "$PGA_BIN/pga-healthcheck" -c "$CFG"
    [ "$status" -eq 1 ]
    [[ "$output" == "WARNING - "*"collector errors: "*"pg_stats"* ]]
    [[ "$output" != *"not-the-password"* ]]
}

@test "a killed collector is CRITICAL: not running, though its lock and status files remain" {
    start_daemon live-good-token
    kill -9 "$DAEMON_PID"
    wait "$DAEMON_PID" || true
    DAEMON_PID=""
    [ -s "$STATE/pganalytics.lock" ]
    [ -s "$STATE/status.json" ]
    run "$PGA_BIN/pga-healthcheck" -c "$CFG"
    [ "$status" -eq 2 ]
    [[ "$output" == "CRITICAL - collector is NOT running (no process holds the lock)"* ]]
}

@test "a stopped collector's status file goes stale and is CRITICAL, fresh again once resumed" {
    start_daemon live-good-token
    kill -STOP "$DAEMON_PID"
    stopped_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    sleep 4
    # interval = 1 s: critical when the last cycle is more than 3 intervals old
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --cycle-age-warn 2 --cycle-age-crit 3
    [ "$status" -eq 2 ]
    [[ "$output" == "CRITICAL - last cycle "[0-9]*"s ago"* ]]
    [[ "$output" == *"'cycle_age'="[0-9]*"s;2;3"* ]]
    kill -CONT "$DAEMON_PID"
    wait_for "d['last_cycle']['finished_at'] > '$stopped_at'"
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --cycle-age-warn 2 --cycle-age-crit 3 --json
    [ "$(check_state cycle_age "$output")" = "['OK']" ]
}

@test "a lock holder whose RSS really grows between runs warns after four samples" {
    mkdir -p "$STATE"
    CFG=$(write_config grow.toml "[collector]
interval = 60
state_dir = \"$STATE\"
log_file = \"$LOG\"")
    # A stand-in for the loop: holds the lock the loop's way and adds 32 MiB of touched memory on each SIGUSR1.
    python3 -c '
import fcntl, os, signal, sys, time
state, ack = sys.argv[1], sys.argv[2]
lock = open(os.path.join(state, "pganalytics.lock"), "w")
fcntl.flock(lock, fcntl.LOCK_EX)
lock.write(str(os.getpid())); lock.flush()
chunks = []
def grow(*_):
    chunks.append(bytearray(b"x" * (32 << 20)))
    with open(ack + ".tmp", "w") as f: f.write(str(len(chunks)))
    os.replace(ack + ".tmp", ack)
signal.signal(signal.SIGUSR1, grow)
with open(ack, "w") as f: f.write("0")
while True: time.sleep(1)
' "$STATE" "$BATS_TEST_TMPDIR/grown" 3>&- &
    DAEMON_PID=$!
    now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    echo "{\"last_cycle\":{\"finished_at\":\"$now\",\"duration_ms\":100}}" >"$STATE/status.json"
    for i in 1 2 3 4; do
        wait_grown $((i - 1))
        kill -USR1 "$DAEMON_PID"
        wait_grown "$i"
        run "$PGA_BIN/pga-healthcheck" -c "$CFG" --rss-warn-mib 1024 --rss-crit-mib 2048
        if [ "$i" -lt 4 ]; then
            [[ "$output" != *"RSS grew"* ]]
        fi
    done
    [ "$status" -eq 1 ]
    [[ "$output" == "WARNING - RSS grew in each of the last 4 samples"* ]]
    [ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$STATE/healthcheck-history.json")" = 4 ]
    kill -USR1 "$DAEMON_PID"
    wait_grown 5
    run "$PGA_BIN/pga-healthcheck" -c "$CFG" --rss-warn-mib 1024 --rss-crit-mib 2048 --decide
    [ "$status" -eq 2 ]
    [[ "$output" == "ROLLBACK - memory leak"* ]]
}
