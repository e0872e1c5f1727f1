#!/usr/bin/env bats
# pga-validate on a real PostgreSQL and the test backend: each check on the failure it looks for,
# --only, --json and the exit codes (0 all ok, 1 warnings only, 2 any error).

load helpers/common
load helpers/tools

setup_file() { tools_pg_start; }
teardown_file() { tools_pg_stop; }
teardown() { tools_backend_stop; }

json_field() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

@test "postgresql section passes for the pg_monitor role" {
    cfg=$(tools_config ok.toml)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only postgresql
    [ "$status" -eq 0 ]
    [[ "$output" == *"ok      postgresql.version"* ]]
    [[ "$output" == *"pg_stat_statements.readable"* ]]
    [[ "$output" == *"role pga_monitor has pg_monitor"* ]]
}

@test "a wrong password is an error with a hint naming the password sources" {
    echo wrong >"$BATS_TEST_TMPDIR/bad.pw"; chmod 600 "$BATS_TEST_TMPDIR/bad.pw"
    cfg=$(tools_config bad.toml "" pga_monitor "$BATS_TEST_TMPDIR/bad.pw")
    sed -i 's|^host = .*|host = "127.0.0.1"|' "$cfg" # the socket is trust; TCP asks for the password
    run "$PGA_BIN/pga-validate" -c "$cfg" --only postgresql
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   postgresql.connect"*"password authentication failed"* ]]
    [[ "$output" == *"hint: check the password of role pga_monitor"* ]]
    [[ "$output" != *"wrong"* ]]
}

@test "a superuser role is an error" {
    cfg=$(tools_config su.toml "" postgres "$PGA_PG_SUPERUSER_PASSWORD_FILE")
    run "$PGA_BIN/pga-validate" -c "$cfg" --only postgresql
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   role.superuser"*"is a superuser"* ]]
}

@test "a role without pg_monitor is a warning, missing extension an error" {
    tools_psql "CREATE ROLE plain LOGIN PASSWORD 'plainpw'" || true
    tools_psql "CREATE DATABASE noext" || true
    tools_psql "DROP EXTENSION IF EXISTS pg_stat_statements" noext
    printf 'plainpw' >"$BATS_TEST_TMPDIR/plain.pw"; chmod 600 "$BATS_TEST_TMPDIR/plain.pw"
    cfg=$(tools_config plain.toml "database = \"noext\"" plain "$BATS_TEST_TMPDIR/plain.pw")
    run "$PGA_BIN/pga-validate" -c "$cfg" --only postgresql
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   pg_stat_statements.preload"*"pg_read_all_settings"* ]]
    [[ "$output" == *"warning role.pg_monitor"*"not a member of pg_monitor"* ]]
    [[ "$output" == *"error   pg_stat_statements.installed"*"not installed in noext"* ]]
    [[ "$output" == *"CREATE EXTENSION pg_stat_statements"* ]]
}

@test "a role connection limit below pool_max_size is an error" {
    tools_psql "CREATE ROLE limited LOGIN PASSWORD 'limpw' CONNECTION LIMIT 2 IN ROLE pg_monitor" || true
    printf 'limpw' >"$BATS_TEST_TMPDIR/lim.pw"; chmod 600 "$BATS_TEST_TMPDIR/lim.pw"
    cfg=$(tools_config lim.toml "" limited "$BATS_TEST_TMPDIR/lim.pw")
    run "$PGA_BIN/pga-validate" -c "$cfg" --only postgresql
    [ "$status" -eq 2 ]
    [[ "$output" == *"role connection limit 2 is below pool_max_size 5"* ]]
}

@test "an unreachable backend is an error" {
    cfg=$(tools_config unreach.toml '[backend]
url = "http://127.0.0.1:1"
token = "abc"
connect_timeout = 2')
    run "$PGA_BIN/pga-validate" -c "$cfg" --only backend
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   backend.health"*"failed"* ]]
}

@test "a healthy backend and a good token pass, a bad token is rejected" {
    tools_backend_start --static-token good-token-123
    cfg=$(tools_config good.toml "[backend]
url = \"$BACKEND_URL\"
token = \"good-token-123\"")
    run "$PGA_BIN/pga-validate" -c "$cfg" --only backend
    [ "$status" -eq 0 ]
    [[ "$output" == *"credentials accepted"* ]]
    cfg=$(tools_config badtok.toml "[backend]
url = \"$BACKEND_URL\"
token = \"bad-token-456\"")
    run "$PGA_BIN/pga-validate" -c "$cfg" --only backend
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   backend.credentials"*"credentials rejected (HTTP 401"* ]]
    [[ "$output" != *"bad-token-456"* ]]
}

@test "every config error is reported at once and --json carries them" {
    cfg=$(write_config broken.toml '[postgresql]
pool_max_size = 0
query_stats_limit = 5')
    run "$PGA_BIN/pga-validate" -c "$cfg" --only config --json
    [ "$status" -eq 2 ]
    n=$(echo "$output" | json_field 'len([c for c in d["checks"] if c["status"]=="error"])')
    [ "$n" -ge 2 ]
    [ "$(echo "$output" | json_field 'd["exit_code"]')" = 2 ]
}

@test "a group-readable password file is a warning with the chmod to run" {
    cp "$PGA_PG_MONITOR_PASSWORD_FILE" "$BATS_TEST_TMPDIR/open.pw"; chmod 644 "$BATS_TEST_TMPDIR/open.pw"
    cfg=$(tools_config open.toml "" pga_monitor "$BATS_TEST_TMPDIR/open.pw")
    run "$PGA_BIN/pga-validate" -c "$cfg" --only config
    [ "$status" -eq 1 ]
    [[ "$output" == *"hint: run: chmod 600 $BATS_TEST_TMPDIR/open.pw"* ]]
}

@test "system section reports disk, memory and cpu; an unknown section is a usage error" {
    cfg=$(tools_config sys.toml)
    run "$PGA_BIN/pga-validate" -c "$cfg" --only system --json
    [[ "$output" == *'"disk.spool"'* ]]
    [[ "$output" == *'"memory"'* ]]
    [[ "$output" == *'"cpu"'* ]]
    run "$PGA_BIN/pga-validate" -c "$cfg" --only nosuch
    [ "$status" -eq 2 ]
    [[ "$output" == *"unknown section 'nosuch'"* ]]
}
