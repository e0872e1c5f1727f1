#!/usr/bin/env bats
# PostgreSQL faults: `pganalytics cron` while the server restarts mid-cycle, is down for a while,
# is at its connection limit, holds locks past lock_timeout and statement_timeout, has 10,000
# pg_stat_statements entries and hostile database names, or the role lacks privileges. The
# collector must keep cycling, report the failing types, recover on its own, and lose no batch.

load helpers/faults

setup_file() {
    load helpers/faults
    pg_start "${PGA_TEST_PG_VERSION:-15}" --conf max_connections=25 --conf pg_stat_statements.max=10000
}

teardown_file() {
    load helpers/faults
    pg_stop
}

setup() {
    fault_setup
    backend_start --static-token "$FAULT_TOKEN"
}

teardown() {
    fault_teardown
    pg_psql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'pga_filler'" >/dev/null 2>&1 || true
    [ -z "${FILLERS:-}" ] || kill $FILLERS 2>/dev/null || true
    pg_ctl_as_postgres start >/dev/null 2>&1 || true
}

# Every metric type due every cycle.
EVERY_CYCLE='[pg_query_stats]
interval = 1
[pg_stats]
interval = 1
[sysstat]
interval = 1
[disk_usage]
interval = 1
[pg_replication]
interval = 1
[pg_locks]
interval = 1
[pg_bloat]
interval = 1
[pg_cache]
interval = 1
[pg_connections]
interval = 1
[pg_extensions]
interval = 1
[pg_schema]
interval = 1
[pg_log]
interval = 1
[pg_io]
interval = 1
[pg_checkpointer]
interval = 1
[pg_wal]
interval = 1
[pg_settings]
interval = 1'

pg_ctl_as_postgres() {
    runuser -u postgres -- "$PGA_PG_BIN/pg_ctl" -D "$PGA_PG_DATA" -l "$PGA_PG_DIR/pg_ctl.log" -w -t 30 -s "$@"
}

cycles() {
    status_get 'd["cycles"]' || echo 0
}

# cycles_beyond N: the status file reports more than N cycles.
cycles_beyond() {
    [ "$(cycles)" -gt "$1" ]
}

# types_in_error: the metric types whose last run failed, space-separated.
types_in_error() {
    status_get '" ".join(sorted(k for k, v in d["collectors"].items() if v["status"] == "error"))'
}

no_type_in_error() {
    [ -z "$(types_in_error)" ] && [ "$(status_get 'len(d["collectors"])')" -gt 5 ]
}

some_type_in_error() {
    [ -n "$(types_in_error)" ]
}

# healthy_after N: more than N cycles and every type ran without error in the last one.
healthy_after() {
    cycles_beyond "$1" && no_type_in_error
}

# wait_healthy N: waits until healthy_after N; on failure prints the types' last errors.
wait_healthy() {
    wait_until 60 healthy_after "$1" || {
        status_get 'json.dumps({k: v.get("errors") for k, v in d["collectors"].items() if v["status"] != "ok"})'
        return 1
    }
}

# pg_psql_script SQL: runs SQL (which may hold psql backslash commands) as superuser from stdin.
pg_psql_script() {
    printf '%s\n' "$1" | psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PGA_PG_HOST" -p "$PGA_PG_PORT" -U postgres -d postgres -f -
}

finish() {
    settle 60
    stop_cron
    assert_nothing_lost "$1"
}

@test "PostgreSQL restarted mid-cycle three times: cycles go on and every type recovers" {
    start_cron "$(fault_config "$EVERY_CYCLE")"
    wait_healthy 1
    opened=$(status_get 'd["pool"]["created"]')
    for delay in 0.3 0.7 0.5; do
        sleep "$delay"
        pg_ctl_as_postgres restart -m immediate
    done
    n=$(cycles)
    wait_healthy $((n + 1))
    # the restarts cut the pool's connections: new ones were opened
    [ "$(status_get 'd["pool"]["created"]')" -gt "$opened" ]
    finish pg_restarted
}

@test "PostgreSQL down for a while: cycles go on with errors, without a flood, then recover" {
    start_cron "$(fault_config "$EVERY_CYCLE")"
    wait_healthy 1
    before=$(wc -l <"$LOG")
    pg_ctl_as_postgres stop -m fast
    n=$(cycles)
    wait_until 30 cycles_beyond $((n + 4))
    some_type_in_error
    down_lines=$(($(wc -l <"$LOG") - before))
    down_cycles=$(($(cycles) - n))
    echo "$down_lines log lines over $down_cycles cycles while PostgreSQL was down"
    # the guide's three lines per cycle plus at most a few error lines, not one per query
    [ "$down_lines" -le $((down_cycles * 12 + 12)) ]
    grep -q 'cannot reach PostgreSQL' "$LOG"
    pg_ctl_as_postgres start
    n=$(cycles)
    wait_healthy $((n + 1))
    finish pg_down
}

@test "PostgreSQL at its connection limit: errors name it, the collector recovers once slots free" {
    pg_psql "DROP ROLE IF EXISTS pga_filler; CREATE ROLE pga_filler LOGIN"
    FILLERS=
    reserved=$(pg_psql "SHOW superuser_reserved_connections")
    max=$(pg_psql "SHOW max_connections")
    fill() {
        psql -X -q -h "$PGA_PG_HOST" -p "$PGA_PG_PORT" -U pga_filler -d postgres -c 'SELECT pg_sleep(600)' >/dev/null 2>&1 &
        FILLERS="$FILLERS $!"
    }
    for _ in $(seq 1 $((max - reserved))); do fill; done
    # full: the monitoring role is refused for want of a slot. A filler refused while some other
    # session held a slot for a moment has exited: another takes its place until the server is full
    # (one too many is refused and exits).
    full() { ! pg_monitor_psql 'SELECT 1' >/dev/null 2>&1; }
    full_or_fill() { full || { fill; false; }; }
    wait_until 60 full_or_fill || { pg_psql "SELECT usename, count(*) FROM pg_stat_activity GROUP BY 1"; echo "max $max reserved $reserved"; false; }
    start_cron "$(fault_config "$EVERY_CYCLE")"
    wait_until 30 cycles_beyond 2
    grep -Eq 'too many clients|remaining connection slots' "$LOG"
    kill $FILLERS 2>/dev/null || true
    pg_psql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'pga_filler'" >/dev/null
    FILLERS=
    n=$(cycles)
    wait_healthy $((n + 1))
    finish pg_connection_limit
}

# hold_lock SECONDS: an ACCESS EXCLUSIVE lock on a user table, held in the background.
hold_lock() {
    pg_psql "CREATE TABLE IF NOT EXISTS fault_locked (id int); INSERT INTO fault_locked SELECT generate_series(1, 1000)"
    psql -X -q -h "$PGA_PG_HOST" -p "$PGA_PG_PORT" -U postgres -d postgres \
        -c "BEGIN; LOCK TABLE fault_locked IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($1); COMMIT" >/dev/null 2>&1 &
    FILLERS=$!
    locked() { [ "$(pg_psql "SELECT count(*) FROM pg_locks WHERE relation = 'fault_locked'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ]; }
    wait_until 10 locked
}

# errors_mention TEXT: a type's last error mentions TEXT.
errors_mention() {
    status_get 'json.dumps([v.get("errors") for v in d["collectors"].values()])' | grep -q "$1"
}

@test "a lock held past lock_timeout fails only the blocked queries; cycles stay short" {
    hold_lock 8
    start_cron "$(fault_config "lock_timeout = 300
$EVERY_CYCLE")"
    wait_until 30 errors_mention 'lock timeout'
    longest=$(status_get 'd["last_cycle"]["duration_ms"]')
    echo "cycle while blocked: $longest ms; types in error: $(types_in_error)"
    [ "$longest" -lt 5000 ]
    [ "$(status_get '[k for k, v in d["collectors"].items() if v["status"] == "ok"].__len__()')" -gt 3 ]
    kill "$FILLERS" 2>/dev/null || true
    pg_psql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'BEGIN; LOCK TABLE fault_locked%'" >/dev/null
    FILLERS=
    n=$(cycles)
    wait_healthy $((n + 1))
    finish pg_lock_timeout
}

@test "a statement cancelled by statement_timeout fails only that query; cycles stay short" {
    hold_lock 8
    start_cron "$(fault_config "lock_timeout = 20000
statement_timeout = 300
$EVERY_CYCLE")"
    wait_until 30 errors_mention 'statement timeout'
    kill "$FILLERS" 2>/dev/null || true
    pg_psql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'BEGIN; LOCK TABLE fault_locked%'" >/dev/null
    FILLERS=
    n=$(cycles)
    wait_healthy $((n + 1))
    finish pg_statement_timeout
}

@test "10,000 pg_stat_statements entries: the batch keeps to query_stats_limit and is accepted" {
    pg_psql "SELECT pg_stat_statements_reset()" >/dev/null
    # distinct statements: 20 tables times 500 expression shapes (constants do not make a new entry)
    pg_psql "DO \$\$ BEGIN FOR t IN 0..19 LOOP EXECUTE format('CREATE TABLE IF NOT EXISTS fault_t%s (v int)', t); END LOOP;
        FOR i IN 0..9999 LOOP EXECUTE format('SELECT count(*) FROM fault_t%s WHERE v > 0%s', i % 20, repeat(' + 1', i / 20));
        END LOOP; END \$\$" >/dev/null
    entries=$(pg_psql "SELECT count(*) FROM pg_stat_statements")
    echo "pg_stat_statements entries: $entries"
    [ "$entries" -ge 9000 ]
    start_cron "$(fault_config "query_stats_limit = 100
$EVERY_CYCLE")"
    has_query_stats() {
        [ "$(json_get "$(backend_control GET '/_test/ledger?summary=1')" 'd["metrics_total"]')" -gt 0 ] &&
            [ -n "$(backend_control GET '/_test/bodies?limit=50' | grep -o '"pg_query_stats"' | head -1)" ]
    }
    wait_until 60 has_query_stats
    finish pg_10k_statements
    rows=$(control_get '/_test/bodies?limit=50' '
max(len(m.get("queries") or m.get("statements") or m.get("rows") or []) for b in d["bodies"] for m in b["body"]["metrics"] if m.get("type") == "pg_query_stats")')
    echo "largest pg_query_stats object: $rows statements"
    [ "$rows" -gt 0 ] && [ "$rows" -le 100 ]
    [ "$(ledger_value 'd["dropped_total"]')" -eq 0 ]
}

HOSTILE_NAMES=('quo"te' "apo'strophe" 'eq=ual dbname=postgres' 'semi;colon -- x' 'back\slash' 'ünïcødé ✓'
    $'tab\there' $'new\n[2026-01-01 00:00:00.000] [error] forged line')

@test "hostile database names reach the backend intact in valid JSON and cannot forge log lines" {
    for name in "${HOSTILE_NAMES[@]}"; do
        pg_psql_script "SELECT format('CREATE DATABASE %I', \$n\$$name\$n\$) \\gexec" >/dev/null
    done
    # one of them refuses the collector, so its name lands in an error line
    forged=${HOSTILE_NAMES[7]}
    pg_psql_script "SELECT format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', \$n\$$forged\$n\$) \\gexec" >/dev/null
    start_cron "$(fault_config "$EVERY_CYCLE")"
    all_seen() {
        control_get '/_test/bodies?limit=50' \
            'sorted({m["database"] for b in d["bodies"] for m in b["body"]["metrics"] if isinstance(m.get("database"), str)})' \
            >"$BATS_TEST_TMPDIR/seen.txt"
        local name
        for name in "${HOSTILE_NAMES[@]:0:7}"; do
            python3 -c 'import ast,sys; sys.exit(0 if sys.argv[2] in ast.literal_eval(open(sys.argv[1]).read()) else 1)' \
                "$BATS_TEST_TMPDIR/seen.txt" "$name" || return 1
        done
    }
    wait_until 60 all_seen
    finish hostile_names
    # the backend parsed every body (valid JSON): nothing was rejected
    [ "$(ledger_value 'd["dropped_total"]')" -eq 0 ]
    # no line of the log starts with the forged prefix; the name appears escaped
    run grep -c '^\[2026-01-01 00:00:00.000\] \[error\] forged' "$LOG"
    [ "$output" = 0 ]
    grep -qF 'new\n[2026-01-01' "$LOG"
    for name in "${HOSTILE_NAMES[@]}"; do
        pg_psql_script "SELECT format('DROP DATABASE %I', \$n\$$name\$n\$) \\gexec" >/dev/null
    done
}

@test "a role without pg_monitor: the types it cannot read say so, the rest is collected" {
    pg_psql "DROP ROLE IF EXISTS pga_weak; CREATE ROLE pga_weak LOGIN PASSWORD 'weak-pass'"
    printf 'weak-pass\n' >"$BATS_TEST_TMPDIR/weak.pass"
    chmod 600 "$BATS_TEST_TMPDIR/weak.pass"
    cfg=$(fault_config "$EVERY_CYCLE")
    sed -i "s|^user = .*|user = \"pga_weak\"|; s|^password_file = .*|password_file = \"$BATS_TEST_TMPDIR/weak.pass\"|" "$cfg"
    start_cron "$cfg"
    wait_until 30 cycles_beyond 2
    summary=$(status_get 'json.dumps({k: [v["status"], v.get("reason", "")] for k, v in d["collectors"].items()})')
    echo "$summary"
    # some types collected, and what could not be read is reported, not silently empty
    [ "$(status_get 'len([k for k, v in d["collectors"].items() if v["status"] == "ok"])')" -gt 3 ]
    [ "$(status_get 'len([k for k, v in d["collectors"].items() if v["status"] != "ok"])')" -gt 0 ] ||
        grep -Eqi 'privilege|permission|pg_monitor' "$LOG"
    finish missing_privileges
}
