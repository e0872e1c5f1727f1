# Helpers for the operator-tool Bats files (validate, healthcheck, diag, bench): a throwaway
# PostgreSQL per file (tests/harness/pgcluster.sh) and the scriptable test backend per test.

# tools_pg_start: starts a cluster in $BATS_FILE_TMPDIR/pg and exports PGA_PG_* from its env.sh.
tools_pg_start() {
    "$PGA_SRC/tests/harness/pgcluster.sh" start --dir "$BATS_FILE_TMPDIR/pg" --owner-pid $$ >/dev/null 2>"$BATS_FILE_TMPDIR/pg.err" ||
        { cat "$BATS_FILE_TMPDIR/pg.err" >&2; return 1; }
    set -a
    # shellcheck disable=SC1091
    . "$BATS_FILE_TMPDIR/pg/env.sh"
    set +a
}

tools_pg_stop() {
    "$PGA_SRC/tests/harness/pgcluster.sh" stop --dir "$BATS_FILE_TMPDIR/pg" --remove >/dev/null 2>&1 || true
}

# tools_psql SQL: runs SQL as the superuser on database postgres.
tools_psql() {
    PGPASSWORD=$(<"$PGA_PG_SUPERUSER_PASSWORD_FILE") "$PGA_PG_BIN/psql" -X -q -At -h "$PGA_PG_HOST" \
        -p "$PGA_PG_PORT" -U postgres -d "${2:-postgres}" -c "$1"
}

# tools_backend_start [ARGS...]: starts the test backend; sets BACKEND_URL and BACKEND_PID.
tools_backend_start() {
    local pf="$BATS_TEST_TMPDIR/port.json"
    rm -f "$pf"
    /usr/bin/python3 "$PGA_SRC/tests/backend/pga_test_backend.py" --port-file "$pf" "$@" \
        >"$BATS_TEST_TMPDIR/backend.out" 2>&1 3>&- &
    BACKEND_PID=$!
    local _
    for _ in $(seq 100); do
        [ -s "$pf" ] && break
        sleep 0.1
    done
    [ -s "$pf" ] || { cat "$BATS_TEST_TMPDIR/backend.out" >&2; return 1; }
    local port
    port=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$pf")
    BACKEND_URL="http://127.0.0.1:$port"
}

tools_backend_stop() {
    [ -n "${BACKEND_PID:-}" ] || return 0
    kill -TERM "$BACKEND_PID" 2>/dev/null || true
    wait "$BACKEND_PID" 2>/dev/null || true
    BACKEND_PID=""
}

# tools_config NAME [EXTRA_TOML] [USER] [PASSWORD_FILE]: a config pointing at the test cluster.
tools_config() {
    local user=${3:-pga_monitor} pwfile=${4:-$PGA_PG_MONITOR_PASSWORD_FILE}
    mkdir -p "$BATS_TEST_TMPDIR/state" "$BATS_TEST_TMPDIR/log"
    write_config "$1" "[collector]
id = \"00000000-0000-4000-8000-000000000001\"
state_dir = \"$BATS_TEST_TMPDIR/state\"
log_file = \"$BATS_TEST_TMPDIR/log/collector.log\"
[postgresql]
host = \"$PGA_PG_HOST\"
port = $PGA_PG_PORT
user = \"$user\"
password_file = \"$pwfile\"
pool_max_size = 5
$2"
}
