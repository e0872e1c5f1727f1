# pg.bash - a throwaway PostgreSQL server for Bats tests (wraps tests/harness/pgcluster.sh).
#
#   setup_file()    { load helpers/pg; pg_start; }     # or: pg_start 17 --conf 'log_min_duration_statement=0'
#   teardown_file() { pg_stop; }
#   setup()         { load helpers/pg; pg_require; }
#   @test "..."     { run pg_psql 'SELECT 1'; [ "$output" = 1 ]; }
#
# pg_start [VERSION [pgcluster.sh start options...]]: starts a fresh cluster of VERSION (default
#   $PGA_TEST_PG_VERSION, else 15) in $BATS_FILE_TMPDIR/pg (override with PGA_PG_TEST_DIR) and
#   exports PGA_PG_DIR, PGA_PG_BIN, PGA_PG_VERSION, PGA_PG_PORT, PGA_PG_HOST (socket dir),
#   PGA_PG_SUPERUSER_PASSWORD_FILE, PGA_PG_MONITOR_PASSWORD_FILE, PGA_PG_DATA, PGA_PG_LOG_DIR, and
#   PGHOST, PGPORT, PGUSER=postgres, PGDATABASE=postgres for plain psql. When the version's
#   binaries are unavailable it exports PGA_PG_SKIP_REASON and, inside a test or setup(), calls
#   `skip`; in setup_file (where Bats 1.8 cannot skip) it returns 0 and pg_require does the skipping.
#   Fails (with the server log tail) on other errors. The server is also stopped if the calling
#   Bats process dies without running pg_stop.
# pg_require: skips the current test when pg_start found no binaries; call it in setup().
# pg_stop: stops the server and deletes its directory; never fails, safe to call twice.
# pg_psql SQL [DB]: runs SQL as superuser over the socket; prints unaligned tuples only.
# pg_monitor_psql SQL [DB]: the same as pga_monitor over TCP 127.0.0.1 with its password.

PGA_PG_SCRIPT=${PGA_PG_SCRIPT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tests/harness" && pwd)/pgcluster.sh}

pg_start() {
    local version=${1:-${PGA_TEST_PG_VERSION:-15}}
    (($# == 0)) || shift
    local dir=${PGA_PG_TEST_DIR:-${BATS_FILE_TMPDIR:?pg_start must run inside bats}/pg}
    local err_file=${BATS_FILE_TMPDIR}/pg_start.err
    local owner=$BASHPID out rc=0
    out=$("$PGA_PG_SCRIPT" start --dir "$dir" --version "$version" --owner-pid "$owner" "$@" 2>"$err_file") || rc=$?
    if ((rc == 77)); then
        local reason
        reason=$(grep -m1 '^skipped: ' "$err_file" || true)
        export PGA_PG_SKIP_REASON=${reason#skipped: }
        [[ -z ${BATS_TEST_NAME:-} ]] || skip "$PGA_PG_SKIP_REASON"
        return 0
    fi
    unset PGA_PG_SKIP_REASON
    if ((rc != 0)); then
        cat "$err_file" >&2
        echo "pg_start: pgcluster.sh start --version $version failed (exit $rc)" >&2
        return 1
    fi
    eval "$out"
    export PGA_PG_DIR PGA_PG_BIN PGA_PG_VERSION PGA_PG_PORT PGA_PG_HOST PGA_PG_SUPERUSER_PASSWORD_FILE \
        PGA_PG_MONITOR_PASSWORD_FILE PGA_PG_DATA PGA_PG_LOG_DIR
    export PGHOST=$PGA_PG_HOST PGPORT=$PGA_PG_PORT PGUSER=postgres PGDATABASE=postgres
}

pg_require() {
    [[ -z ${PGA_PG_SKIP_REASON:-} ]] || skip "$PGA_PG_SKIP_REASON"
}

pg_stop() {
    [[ -n ${PGA_PG_DIR:-} ]] || return 0
    "$PGA_PG_SCRIPT" stop --dir "$PGA_PG_DIR" --remove || true
}

pg_psql() {
    psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PGA_PG_HOST" -p "$PGA_PG_PORT" -U postgres \
        -d "${2:-postgres}" -c "$1"
}

pg_monitor_psql() {
    PGPASSWORD=$(<"$PGA_PG_MONITOR_PASSWORD_FILE") psql -X -q -A -t -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PGA_PG_PORT" -U pga_monitor -d "${2:-postgres}" -c "$1"
}
