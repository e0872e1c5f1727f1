#!/usr/bin/env bats
# Self-test of bats/helpers/pg.bash: one server per file (setup_file/teardown_file), psql over
# the socket, pg_stat_statements readable by pga_monitor over TCP, and a clean stop.
# Tests run in file order; the last one stops the server (teardown_file then stops it again).

setup_file() {
    load pg
    pg_start
}

teardown_file() {
    pg_stop
}

setup() {
    load pg
    pg_require
}

@test "pg_start exports the server coordinates and writes private password files" {
    [[ $PGA_PG_PORT =~ ^[0-9]+$ ]]
    [ "$PGHOST" = "$PGA_PG_HOST" ]
    [ "$PGPORT" = "$PGA_PG_PORT" ]
    [ "$PGUSER" = postgres ]
    [ -S "$PGA_PG_HOST/.s.PGSQL.$PGA_PG_PORT" ]
    [ "$(stat -c %a "$PGA_PG_SUPERUSER_PASSWORD_FILE")" = 600 ]
    [ "$(stat -c %a "$PGA_PG_MONITOR_PASSWORD_FILE")" = 600 ]
    grep -qx "PGA_PG_PORT='$PGA_PG_PORT'" "$PGA_PG_DIR/env.sh"
}

@test "pg_psql runs SQL as superuser on the requested major" {
    run pg_psql 'SELECT current_user'
    [ "$status" -eq 0 ]
    [ "$output" = postgres ]
    run pg_psql 'SHOW server_version_num'
    [ "$status" -eq 0 ]
    [ $((output / 10000)) -eq "${PGA_TEST_PG_VERSION:-15}" ]
    [ "$PGA_PG_VERSION" = "${PGA_TEST_PG_VERSION:-15}" ]
}

@test "pg_stat_statements is preloaded and readable by pga_monitor over TCP" {
    run pg_psql 'SHOW shared_preload_libraries'
    [ "$output" = pg_stat_statements ]
    pg_psql 'SELECT 1 AS pga_bats_selftest_marker' >/dev/null
    run pg_monitor_psql "SELECT count(*) FROM pg_stat_statements WHERE query LIKE '%pga_bats_selftest_marker%'"
    [ "$status" -eq 0 ]
    [ "$output" = 1 ]
    run pg_monitor_psql 'SHOW is_superuser'
    [ "$output" = off ]
}

@test "pg_psql fails with the server message on bad SQL" {
    run pg_psql 'SELECT * FROM pga_no_such_table'
    [ "$status" -ne 0 ]
    [[ $output == *'relation "pga_no_such_table" does not exist'* ]]
}

@test "pg_stop leaves no postgres process for the cluster and removes its directory" {
    local postmaster children pid ppid stat
    postmaster=$(head -n1 "$PGA_PG_DATA/postmaster.pid")
    children=()
    for stat in /proc/[0-9]*/stat; do
        read -r stat <"$stat" 2>/dev/null || continue
        pid=${stat%% *}
        stat=${stat##*) }
        read -r _ ppid _ <<<"$stat"
        [ "$ppid" != "$postmaster" ] || children+=("$pid")
    done
    [ "${#children[@]}" -gt 0 ]
    pg_stop
    for pid in "$postmaster" "${children[@]}"; do
        stat=""
        read -r stat <"/proc/$pid/stat" 2>/dev/null || true
        stat=${stat##*) }
        [[ -z $stat || $stat == Z* ]]
    done
    [ ! -e "$PGA_PG_DIR" ]
    run pg_stop
    [ "$status" -eq 0 ]
}
