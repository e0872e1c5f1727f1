#!/usr/bin/env bats
# Process faults: the spool's disk full (a small tmpfs in a private mount namespace), 100 random
# kill -9 while batches are spooled and sent, SIGTERM during a slow push, SIGHUP with a good and a
# broken config, two cron runs at once, and the wall clock jumping forwards and backwards. Each
# scenario ends with the ledger identity lost = 0.

load helpers/faults

setup_file() {
    load helpers/faults
    pg_start
}

teardown_file() {
    load helpers/faults
    pg_stop
}

setup() {
    fault_setup
    backend_start --static-token "$FAULT_TOKEN"
    HOLDER=
    SPOOL_NS=
}

teardown() {
    fault_teardown
    [ -z "${HOLDER:-}" ] || kill "$HOLDER" 2>/dev/null || true
}

cycles() {
    status_get 'd["cycles"]' || echo 0
}

cycles_beyond() {
    [ "$(cycles)" -gt "$1" ]
}

own_mount_namespace() {
    local theirs
    theirs=$(readlink "/proc/$1/ns/mnt" 2>/dev/null) && [ "$theirs" != "$(readlink /proc/self/ns/mnt)" ]
}

log_has() {
    grep -q -- "$1" "$LOG" 2>/dev/null
}

@test "the spool's disk is full: write failures are counted, cycles go on, the backlog drains" {
    command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "util-linux unshare/nsenter missing"
    mkdir -p "$STATE/spool"
    # a private mount namespace held by a sleeping process, with a 4 MiB tmpfs on the spool
    unshare -m --propagation private sleep 600 3>&- &
    HOLDER=$!
    # until unshare has made the namespace (the /proc entry exists before it does)
    wait_until 10 own_mount_namespace "$HOLDER"
    ns() { nsenter -t "$HOLDER" -m "$@"; }
    ns mount -t tmpfs -o size=4m tmpfs "$STATE/spool"
    fault '{"mode":"refuse"}'
    cfg=$(fault_config)
    nsenter -t "$HOLDER" -m env PGA_TEST_TIME_DIVISOR=50 "$PGA_BIN/pganalytics" -c "$cfg" cron >>"$CRON_OUT" 2>&1 3>&- &
    CRON_PID=$!
    SPOOL_NS=$HOLDER
    wait_until 30 created_at_least 3
    # another program fills the disk: the spool cannot take new batches
    ns dd if=/dev/zero of="$STATE/spool/filler" bs=64k 2>/dev/null || true
    write_failed() { [ "$(status_get 'd["delivery"]["spool"]["write_failed"]')" -gt "${1:-0}" ]; }
    wait_until 60 write_failed 2
    n=$(cycles)
    wait_until 30 cycles_beyond $((n + 2))
    kill -0 "$CRON_PID"
    log_has 'not spooled'
    # the backend comes back: the backlog drains although the disk is still full
    clear_faults
    target=$(spool_created)
    delivered_to() { [ "$(accepted_unique)" -ge "$1" ]; }
    wait_until 60 delivered_to "$target"
    log_has 'released the 2 MiB reserve'
    # the room freed lets new batches in again, and they are delivered
    a=$(accepted_unique)
    more_accepted() { [ "$(accepted_unique)" -ge "$((a + 2))" ]; }
    wait_until 60 more_accepted
    stop_cron
    failed=$(status_get 'd["delivery"]["spool"]["write_failed"]')
    cycles_run=$(cycles)
    l=$(ns python3 "$PGA_SRC/tests/faults/helpers/ledger.py" "$STATE/spool/spool.db" "$BACKEND_CONTROL")
    echo "ledger: $l; write_failed: $failed; cycles: $cycles_run"
    [ "$(json_get "$l" 'd["lost"]')" -eq 0 ]
    # every cycle's batch was spooled (and accounted above) or counted as a write failure
    [ $(($(json_get "$l" 'd["created"]') + failed)) -ge "$cycles_run" ]
    [ -z "${PGA_FAULTS_LEDGER:-}" ] || json_get "$l" '"\t".join(str(x) for x in [d["created"], d["accepted"], d["dropped_total"], d["backlog"], d["duplicates"], d["lost"]])' |
        sed "s/^/spool_disk_full (+$failed write failures)\t/" >>"$PGA_FAULTS_LEDGER"
}

@test "100 random kill -9 while batches are spooled and sent: nothing lost, no corrupt entry, sequences unique" {
    kills=${PGA_FAULTS_KILLS:-100}
    cfg=$(fault_config)
    for i in $(seq 1 "$kills"); do
        case $((RANDOM % 4)) in
        0) fault '{"mode":"refuse","count":1}' ;;
        1) fault '{"mode":"commit_then_drop","count":1,"path":"/api/v1/metrics/push"}' ;;
        2) fault '{"mode":"status","status":503,"count":2,"path":"/api/v1/metrics/push"}' ;;
        *) clear_faults ;;
        esac
        start_cron "$cfg"
        sleep "$(python3 -c 'import random; print(round(random.uniform(0.05, 1.6), 3))')"
        kill -9 "$CRON_PID"
        wait "$CRON_PID" 2>/dev/null || true
        CRON_PID=
    done
    clear_faults
    start_cron "$cfg"
    settle 120
    stop_cron
    assert_nothing_lost "kill_9_x$kills"
    [ "$(ledger_value 'd["dropped"].get("corrupt", 0)')" -eq 0 ]
    [ "$(spool_sql "select coalesce((select value from counters where name='files_set_aside'),0)")" -eq 0 ]
    # a batch sequence is never handed out twice, across all the restarts
    control_get /_test/ledger 'len({a["batch_id"] for a in d["accepted"]}) - len({(a["sequence"]) for a in d["accepted"]})' >"$BATS_TEST_TMPDIR/seqdiff"
    [ "$(cat "$BATS_TEST_TMPDIR/seqdiff")" -eq 0 ]
    [ "$(ledger_value 'd["created"]')" -ge 20 ]
}

@test "SIGTERM during a slow push: exit 0 within the shutdown bound, the batch delivered or kept" {
    fault '{"mode":"slow","interval":0.5,"chunk":1,"count":-1,"path":"/api/v1/metrics/push"}'
    cfg=$(fault_config)
    sed -i 's/^timeout = 3$/timeout = 60/' "$cfg"
    start_cron "$cfg"
    slow_push_running() {
        control_get '/_test/requests?limit=100' 'len([r for r in d["requests"] if r["path"] == "/api/v1/metrics/push"])' | grep -qv '^0$'
    }
    wait_until 30 slow_push_running
    sleep 1
    start=$(date +%s.%N)
    stop_cron
    took=$(python3 -c "import time; print(round(time.time() - $start, 1))")
    echo "SIGTERM to exit: $took s"
    python3 -c "import sys; sys.exit(0 if $took <= 13 else 1)"
    clear_faults
    start_cron "$cfg"
    settle 60
    stop_cron
    assert_nothing_lost sigterm_slow_push
}

@test "SIGHUP applies a good config and keeps the running one when the new one is broken" {
    cfg=$(fault_config)
    start_cron "$cfg"
    wait_until 30 cycles_beyond 1
    sed -i 's/^log_level = .*//; s/^\[collector\]$/[collector]\nlog_level = "debug"/' "$cfg"
    kill -HUP "$CRON_PID"
    wait_until 15 log_has "configuration reloaded from $cfg"
    cp "$cfg" "$BATS_TEST_TMPDIR/good.toml"
    printf 'interval = "often"\n[unterminated\n' >>"$cfg"
    kill -HUP "$CRON_PID"
    wait_until 15 log_has 'configuration reload failed: keeping the previous configuration'
    grep -q "$(basename "$cfg")" "$LOG"
    n=$(cycles)
    wait_until 15 cycles_beyond $((n + 2))
    kill -0 "$CRON_PID"
    settle 30
    stop_cron
    assert_nothing_lost sighup_good_and_broken
}

@test "two cron runs at once: the second exits 0 naming the running pid, the first goes on" {
    cfg=$(fault_config)
    start_cron "$cfg"
    wait_until 30 cycles_beyond 1
    run timeout 20 env PGA_TEST_TIME_DIVISOR=50 "$PGA_BIN/pganalytics" -c "$cfg" cron
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"already running (pid $CRON_PID)"* ]]
    n=$(cycles)
    wait_until 15 cycles_beyond $((n + 2))
    settle 30
    stop_cron
    assert_nothing_lost two_cron_runs
}

@test "the wall clock jumps an hour forwards, then two back: cycles keep their pace, no tick skipped" {
    lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
    [ -e "$lib" ] || skip "libfaketime missing (Debian package faketime)"
    offset="$BATS_TEST_TMPDIR/faketime"
    echo '+0' >"$offset"
    start_cron "$(fault_config)" LD_PRELOAD="$lib" FAKETIME_TIMESTAMP_FILE="$offset" FAKETIME_NO_CACHE=1 \
        FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_DONT_RESET=1
    wait_until 30 cycles_beyond 2
    for jump in '+3600' '-3600'; do
        echo "$jump" >"$offset"
        n=$(cycles)
        sleep 5
        m=$(cycles)
        echo "offset $jump: $((m - n)) cycles in 5 s"
        [ $((m - n)) -ge 3 ] && [ $((m - n)) -le 7 ]
    done
    [ "$(status_get 'd["skipped_ticks"]')" -eq 0 ]
    settle 30
    stop_cron
    assert_nothing_lost clock_jump
    # the batches carry the jumped wall clock: some an hour ahead, some an hour behind
    spread=$(control_get /_test/ledger '(lambda ts: int(max(ts) - min(ts)))([__import__("datetime").datetime.fromisoformat(
        a["timestamp"].replace("Z", "+00:00")).timestamp() for a in d["accepted"] if a.get("timestamp")])')
    echo "batch timestamps spread over $spread s"
    [ "$spread" -ge 3000 ]
}
