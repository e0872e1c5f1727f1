#!/usr/bin/env bats
# Secret canaries: unique values planted as the monitoring role's real PostgreSQL password (ALTER
# ROLE), the backend's static token and its registration secret, supplied through every route
# the option table and libpq offer (inline in a 0600 file, *_file keys, PGPASSWORD /
# PGANALYTICS_TOKEN / REGISTRATION_SECRET, a pgpass file), then looked for in everything the tools
# print or write: --validate-config, register, cron --once --dry-run, the collector's log, stdout
# and stderr, status.json and the whole state directory (the sqlite spool as raw bytes), the
# instance's /proc/<pid>/cmdline, the Prometheus /metrics and /health, pga-healthcheck (text,
# --json, --decide, --textfile), pga-validate (text, --json), the pga-diag bundle (every file),
# and the batches the backend received (pg_query_stats carries the ALTER ROLE that set the
# password, pg_log a failed ALTER ROLE holding it). The same on the error paths: a wrong password,
# a token the backend refuses (401), a wrong registration secret, broken configuration files, and
# secrets pasted into non-secret keys. Every check has a positive control (the artefact exists, is
# the right one and is not empty) and the secrets are proven used (the backend and PostgreSQL
# accept them), so no check can pass vacuously.

load helpers/common
load helpers/backend
load helpers/canary

COLLECTOR_ID=00000000-0000-4000-8000-0000000000c1

setup_file() {
    load helpers/pg
    pg_start
    [ -z "${PGA_PG_SKIP_REASON:-}" ] || return 0
    CANARY_PGPASS=$(canary_new pgpass)
    CANARY_TOKEN=$(canary_new token)
    CANARY_REGSECRET=$(canary_new regsecret)
    CANARY_BADPASS=$(canary_new badpass)
    CANARY_BADTOKEN=$(canary_new badtoken)
    CANARY_BADREG=$(canary_new badreg)
    export CANARY_PGPASS CANARY_TOKEN CANARY_REGSECRET CANARY_BADPASS CANARY_BADTOKEN CANARY_BADREG
    pg_psql "ALTER ROLE pga_monitor PASSWORD '$CANARY_PGPASS'"
    # The ALTER ROLE now sits in pg_stat_statements, with the password, for pg_query_stats.
}

teardown_file() {
    load helpers/pg
    pg_stop
}

setup() {
    load helpers/pg
    pg_require
    [ -x "$PGA_BIN/pganalytics" ] || skip "pganalytics not built"
    export PGA_TEST_TIME_DIVISOR=50
    T=$BATS_TEST_TMPDIR
    STATE="$T/state"
    LOG="$T/collector.log"
    OUT="$T/cron.out"
    CRON_PID=""
    EXPORTER_PORT=$(free_port)
    mkdir -p "$STATE"
    unset PGPASSWORD PGANALYTICS_TOKEN REGISTRATION_SECRET PGPASSFILE
}

teardown() {
    if [ -n "${CRON_PID:-}" ]; then
        kill -9 "$CRON_PID" 2>/dev/null || true
        wait "$CRON_PID" 2>/dev/null || true
    fi
    backend_stop
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_backend: the test backend accepting only CANARY_TOKEN and CANARY_REGSECRET.
start_backend() {
    backend_start --static-token "$CANARY_TOKEN" --static-collector-id "$COLLECTOR_ID" \
        --registration-secret "$CANARY_REGSECRET"
}

# config NAME BACKEND_SECRETS PG_SECRETS [STATE_DIR]: a 0600 config for the backend and PostgreSQL.
config() {
    write_config "$1" "[collector]
id = \"$COLLECTOR_ID\"
interval = 1
push_interval = 1
state_dir = \"${4:-$STATE}\"
log_file = \"$LOG\"
[backend]
url = \"$BACKEND_URL\"
connect_timeout = 2
$2
[postgresql]
host = \"127.0.0.1\"
port = $PGA_PG_PORT
user = \"pga_monitor\"
database = \"postgres\"
sslmode = \"disable\"
$3
[pg_query_stats]
interval = 1
[pg_log]
interval = 1
[exporter]
enabled = true
listen = \"127.0.0.1:$EXPORTER_PORT\""
}

start_cron() {
    "$PGA_BIN/pganalytics" -c "$1" cron >>"$OUT" 2>&1 3>&- &
    CRON_PID=$!
}

stop_cron() {
    kill -TERM "$CRON_PID"
    local rc=0
    wait "$CRON_PID" || rc=$?
    CRON_PID=""
    [ "$rc" -eq 0 ]
}

# status_true EXPRESSION: python on d = status.json.
status_true() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[2])); sys.exit(0 if eval(sys.argv[1]) else 1)' \
        "$1" "$STATE/status.json" 2>/dev/null
}

# wait_until SECONDS COMMAND...: retries COMMAND every 0.2 s.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "timed out waiting for: $*" >&2
            cat "$STATE/status.json" >&2 2>/dev/null || true
            return 1
        fi
        sleep 0.2
    done
}

accepted_at_least() {
    [ "$(json_get "$(backend_control GET '/_test/ledger?summary=1')" 'd["unique_batch_ids"]')" -ge "$1" ]
}

# check_running_outputs CFG: every output of, and about, the running collector, canary-free.
check_running_outputs() {
    local cfg=$1 cmdline
    # /proc/<pid>/cmdline of the running instance.
    cmdline=$(tr '\0' ' ' <"/proc/$CRON_PID/cmdline")
    [[ "$cmdline" == *"pganalytics -c $cfg cron"* ]]
    canary_absent_text cmdline "$cmdline"
    # The Prometheus exporter.
    run curl -sS "http://127.0.0.1:$EXPORTER_PORT/metrics"
    [ "$status" -eq 0 ]
    [[ "$output" == *"pganalytics_"* ]]
    canary_absent_text /metrics "$output"
    run curl -sS "http://127.0.0.1:$EXPORTER_PORT/health"
    [ -n "$output" ]
    canary_absent_text /health "$output"
    # pga-healthcheck, every output form.
    run "$PGA_BIN/pga-healthcheck" -c "$cfg"
    [[ "$output" =~ ^(OK|WARNING|CRITICAL)\ -\  ]]
    canary_absent_text pga-healthcheck "$output"
    run "$PGA_BIN/pga-healthcheck" -c "$cfg" --json
    [[ "$output" == *'"checks"'* ]]
    canary_absent_text "pga-healthcheck --json" "$output"
    run "$PGA_BIN/pga-healthcheck" -c "$cfg" --decide
    [[ "$output" =~ ^(CONTINUE|ROLLBACK) ]]
    canary_absent_text "pga-healthcheck --decide" "$output"
    run "$PGA_BIN/pga-healthcheck" -c "$cfg" --textfile "$T/health.prom"
    [ -s "$T/health.prom" ]
    canary_absent_text "pga-healthcheck --textfile stdout" "$output"
    canary_absent "pga-healthcheck --textfile" "$T/health.prom"
    # pga-validate.
    run "$PGA_BIN/pga-validate" -c "$cfg"
    [[ "$output" == *"summary: "* ]]
    [[ "$output" == *"config.load"* ]]
    canary_absent_text pga-validate "$output"
    VALIDATE_OUTPUT=$output
    run "$PGA_BIN/pga-validate" -c "$cfg" --json
    [[ "$output" == *'"checks"'* ]]
    canary_absent_text "pga-validate --json" "$output"
    # The pga-diag bundle, every file of it.
    check_diag "$cfg"
}

# check_diag CFG: writes a bundle, unpacks it, and greps every file.
check_diag() {
    rm -rf "$T/diag" "$T/diag.x"
    mkdir -p "$T/diag" "$T/diag.x"
    run "$PGA_BIN/pga-diag" -c "$1" --output "$T/diag"
    if [ "${DIAG_REFUSES:-0}" = 1 ]; then
        # a secret sits in the raw config file (under a non-secret key): pga-diag writes nothing
        [ "$status" -eq 1 ]
        [[ "$output" == *"a configured secret would appear in config.toml.redacted: nothing written"* ]]
        canary_absent_text pga-diag "$output"
        [ -z "$(ls -A "$T/diag")" ]
        return 0
    fi
    [ "$status" -eq 0 ]
    canary_absent_text pga-diag "$output"
    tar xzf "$output" -C "$T/diag.x"
    [ "$(find "$T/diag.x" -type f | wc -l)" -ge 8 ]
    grep -q 'Collecting metrics' "$T"/diag.x/*/collector.log
    grep -q 'postgresql.user' "$T"/diag.x/*/config.toml.redacted
    canary_absent pga-diag-bundle "$T/diag.x"
}

# check_after_stop: the log, stdout/stderr and the state directory (status.json, spool raw bytes).
check_after_stop() {
    grep -q 'Collecting metrics' "$LOG"
    [ -s "$OUT" ]
    canary_absent collector.log "$LOG"
    canary_absent cron-stdout-stderr "$OUT"
    [ -s "$STATE/spool/spool.db" ]
    [ "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
        "select value from counters where name=?", ("created",)).fetchone()[0])' "$STATE/spool/spool.db")" -ge 2 ]
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["cycles"] >= 2' "$STATE/status.json"
    canary_absent state_dir "$STATE"
}

# sent_contains TEXT: a batch the backend received holds TEXT.
sent_contains() {
    [[ "$(backend_control GET '/_test/bodies?limit=1000')" == *"$1"* ]]
}

# check_sent: the batches the backend received carry query stats with the ALTER ROLE redacted.
check_sent() {
    run backend_control GET '/_test/bodies?limit=1000'
    [[ "$output" == *'"pg_query_stats"'* ]]
    [[ "$output" == *"ALTER ROLE pga_monitor PASSWORD <redacted>"* ]]
    canary_absent_text backend-bodies "$output"
}

# route_test ROUTE: the happy path with every secret supplied through ROUTE.
route_test() {
    local backend_keys pg_keys want_pw want_token
    case $1 in
    inline)
        backend_keys="token = \"$CANARY_TOKEN\""
        pg_keys="password = \"$CANARY_PGPASS\""
        export REGISTRATION_SECRET=$CANARY_REGSECRET # no inline key exists for it
        want_pw="from postgresql.password in"
        want_token="from backend.token in"
        ;;
    file)
        canary_file "$T/pw" "$CANARY_PGPASS"
        canary_file "$T/token" "$CANARY_TOKEN"
        canary_file "$T/reg" "$CANARY_REGSECRET"
        backend_keys="token_file = \"$T/token\"
registration_secret_file = \"$T/reg\""
        pg_keys="password_file = \"$T/pw\""
        want_pw="from postgresql.password_file $T/pw"
        want_token="from backend.token_file $T/token"
        ;;
    env)
        export PGPASSWORD=$CANARY_PGPASS PGANALYTICS_TOKEN=$CANARY_TOKEN REGISTRATION_SECRET=$CANARY_REGSECRET
        want_pw="from environment variable PGPASSWORD"
        want_token="from environment variable PGANALYTICS_TOKEN"
        ;;
    pgpass)
        canary_file "$T/pgpass" "127.0.0.1:$PGA_PG_PORT:*:pga_monitor:$CANARY_PGPASS"
        export PGPASSFILE=$T/pgpass
        canary_file "$T/token" "$CANARY_TOKEN"
        canary_file "$T/reg" "$CANARY_REGSECRET"
        backend_keys="token_file = \"$T/token\"
registration_secret_file = \"$T/reg\""
        want_pw="password <none>"
        want_token="from backend.token_file $T/token"
        ;;
    esac
    start_backend
    cfg=$(config collector.toml "${backend_keys:-}" "${pg_keys:-}")
    [ "$(stat -c %a "$cfg")" = 600 ]

    run "$PGA_BIN/pganalytics" -c "$cfg" --validate-config
    [ "$status" -eq 0 ]
    [[ "$output" == *"Configuration loaded successfully"* ]]
    [[ "$output" == *"$want_pw"* ]]
    [[ "$output" == *"Backend token: <redacted, $want_token"* ]]
    canary_absent_text --validate-config "$output"

    # one cycle printed to stdout (--dry-run --once): the batch JSON, with the ALTER ROLE redacted.
    run timeout 120 "$PGA_BIN/pganalytics" -c "$cfg" cron --once --dry-run
    [ "$status" -eq 0 ]
    [[ "$output" == *'"pg_query_stats"'* ]]
    [[ "$output" == *"ALTER ROLE pga_monitor PASSWORD <redacted>"* ]]
    canary_absent_text "cron --once --dry-run" "$output"

    # register (its own state directory): the backend accepts only CANARY_REGSECRET.
    regcfg=$(config register.toml "${backend_keys:-}" "${pg_keys:-}" "$T/reg-state")
    run "$PGA_BIN/pganalytics" -c "$regcfg" register
    [ "$status" -eq 0 ]
    [[ "$output" == *"Registered with $BACKEND_URL"* ]]
    canary_absent_text register "$output"
    [ "$(json_get "$(backend_control GET '/_test/ledger?summary=1')" 'd["register_count"]')" -eq 1 ]
    [ -n "$(find "$T/reg-state" -type f)" ]
    canary_absent register-state "$T/reg-state"

    # cron: the backend accepts only CANARY_TOKEN, PostgreSQL only CANARY_PGPASS.
    start_cron "$cfg"
    wait_until 60 accepted_at_least 3
    wait_until 60 status_true 'd["collectors"]["pg_query_stats"]["status"] == "ok" and d["collectors"]["pg_log"]["status"] == "ok"'
    # a failed statement holding the password, logged by the server while pg_log follows the log
    pg_psql "ALTER ROLE no_such_role_$1 PASSWORD '$CANARY_PGPASS'" 2>/dev/null || true
    wait_until 60 sent_contains "no_such_role_$1"
    check_running_outputs "$cfg"
    [[ "$VALIDATE_OUTPUT" == *"connected to host 127.0.0.1"*"as pga_monitor"* ]]
    [[ "$VALIDATE_OUTPUT" == *"credentials accepted"* ]]
    stop_cron
    check_after_stop
    check_sent
    echo "canary checks: $CANARY_CHECKS" >&3
}

@test "the canary check itself fails on a planted canary (in a file, in binary data, in text)" {
    printf 'line one\nsomething %s something\n' "$CANARY_TOKEN" >"$T/leaky.log"
    run canary_absent test "$T/leaky.log"
    [ "$status" -ne 0 ]
    [[ "$output" == *"LEAK (test): CANARY_TOKEN"* ]]
    printf 'a\0b\0%s\0' "$CANARY_PGPASS" >"$T/leaky.bin"
    run canary_absent test "$T/leaky.bin"
    [ "$status" -ne 0 ]
    run canary_absent_text test "prefix $CANARY_BADREG suffix"
    [ "$status" -ne 0 ]
    run canary_absent test "$T/no-such-file"
    [ "$status" -ne 0 ]
    # and the canaries are really in place: PostgreSQL holds the ALTER ROLE with the password.
    [[ "$(pg_psql "SELECT count(*) FROM pg_stat_statements WHERE query LIKE '%$CANARY_PGPASS%'")" -ge 1 ]]
    canary_absent clean "$BATS_TEST_DIRNAME/helpers/canary.bash"
}

@test "secrets inline in a 0600 config file: no canary anywhere" {
    route_test inline
}

@test "secrets in password_file, token_file, registration_secret_file: no canary anywhere" {
    route_test file
}

@test "secrets in PGPASSWORD, PGANALYTICS_TOKEN, REGISTRATION_SECRET: no canary anywhere" {
    route_test env
}

@test "the password in a pgpass file (PGPASSFILE): no canary anywhere" {
    route_test pgpass
}

@test "a wrong PostgreSQL password: the failure is reported, no canary anywhere" {
    start_backend
    canary_file "$T/pw" "$CANARY_BADPASS"
    canary_file "$T/token" "$CANARY_TOKEN"
    cfg=$(config collector.toml "token_file = \"$T/token\"" "password_file = \"$T/pw\"")
    start_cron "$cfg"
    wait_until 60 accepted_at_least 2
    wait_until 60 grep -q 'password authentication failed' "$LOG"
    check_running_outputs "$cfg"
    [[ "$VALIDATE_OUTPUT" == *"password authentication failed"* ]]
    stop_cron
    check_after_stop
    grep -q 'password authentication failed for user "pga_monitor"' "$LOG"
    canary_absent_text backend-bodies "$(backend_control GET '/_test/bodies?limit=1000')"
}

@test "a token the backend refuses (401) and a wrong registration secret: no canary anywhere" {
    start_backend
    canary_file "$T/pw" "$CANARY_PGPASS"
    canary_file "$T/token" "$CANARY_BADTOKEN"
    canary_file "$T/reg" "$CANARY_BADREG"
    cfg=$(config collector.toml "token_file = \"$T/token\"
registration_secret_file = \"$T/reg\"" "password_file = \"$T/pw\"")
    run "$PGA_BIN/pganalytics" -c "$cfg" register --force
    [ "$status" -eq 1 ]
    [[ "$output" == *"registration with $BACKEND_URL failed"* ]]
    canary_absent_text "register (refused)" "$output"
    start_cron "$cfg"
    wait_until 60 status_true 'd["delivery"]["auth"]["critical"] is True'
    wait_until 60 status_true 'd["cycles"] >= 3'
    check_running_outputs "$cfg"
    [[ "$VALIDATE_OUTPUT" == *"backend.credentials"* ]]
    run "$PGA_BIN/pga-healthcheck" -c "$cfg"
    [ "$status" -eq 2 ]
    [[ "$output" == *"authentication failing"* ]]
    stop_cron
    check_after_stop
    grep -q '401' "$LOG"
    [ "$(json_get "$(backend_control GET '/_test/ledger?summary=1')" 'd["accepted_count"]')" -eq 0 ]
    # the refused batches stay in the spool: its raw bytes were grepped with batches in it
    [ "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from entries").fetchone()[0])' \
        "$STATE/spool/spool.db")" -ge 1 ]
}

# broken_config NAME MODE TEXT: every tool on a broken configuration holding the canaries.
broken_config() {
    local cfg
    cfg=$(write_config "$1.toml" "[collector]
state_dir = \"$STATE\"
log_file = \"$LOG\"
$3" "$2")
    run "$PGA_BIN/pganalytics" -c "$cfg" --validate-config
    [ "$status" -eq 78 ]
    [[ "$output" == *"configuration is invalid"* ]]
    canary_absent_text "$1: --validate-config" "$output"
    run "$PGA_BIN/pganalytics" -c "$cfg" cron --once
    [ "$status" -eq 78 ]
    [ -n "$output" ]
    canary_absent_text "$1: cron" "$output"
    run "$PGA_BIN/pganalytics" -c "$cfg" register
    [ "$status" -eq 78 ]
    canary_absent_text "$1: register" "$output"
    run "$PGA_BIN/pga-validate" -c "$cfg"
    [ "$status" -eq 2 ]
    [[ "$output" == *"config.load"* ]]
    canary_absent_text "$1: pga-validate" "$output"
    run "$PGA_BIN/pga-validate" -c "$cfg" --json
    canary_absent_text "$1: pga-validate --json" "$output"
    run "$PGA_BIN/pga-healthcheck" -c "$cfg"
    [ "$status" -eq 3 ]
    canary_absent_text "$1: pga-healthcheck" "$output"
    run "$PGA_BIN/pga-diag" -c "$cfg" --output "$T"
    [ "$status" -eq 78 ]
    canary_absent_text "$1: pga-diag" "$output"
    [ ! -e "$LOG" ] || canary_absent "$1: log" "$LOG"
    BROKEN=$((${BROKEN:-0} + 1))
}

@test "broken configuration files holding the secrets: no canary in any tool's error" {
    start_backend
    canary_file "$T/pw" "$CANARY_PGPASS"
    canary_file "$T/reg" "$CANARY_REGSECRET"
    export REGISTRATION_SECRET=$CANARY_REGSECRET
    broken_config unquoted 600 "[postgresql]
password = $CANARY_PGPASS"
    broken_config unterminated 600 "[backend]
token = \"$CANARY_TOKEN
url = \"$BACKEND_URL\""
    broken_config unterminated-multiline 600 "[backend]
token = \"\"\"$CANARY_TOKEN"
    broken_config bad-escape 600 "[backend]
token = \"$CANARY_TOKEN\\q\""
    broken_config group-readable 640 "[backend]
url = \"$BACKEND_URL\"
token = \"$CANARY_TOKEN\"
[postgresql]
password = \"$CANARY_PGPASS\""
    broken_config world-readable-password 644 "[postgresql]
password = \"$CANARY_PGPASS\""
    broken_config both-inline-and-file 600 "[postgresql]
password = \"$CANARY_PGPASS\"
password_file = \"$T/pw\""
    broken_config secret-in-choice-key 600 "[postgresql]
password = \"$CANARY_PGPASS\"
sslmode = \"$CANARY_PGPASS\""
    broken_config token-in-number-key 600 "[backend]
token = \"$CANARY_TOKEN\"
timeout = \"$CANARY_TOKEN\""
    broken_config secret-as-array 600 "[backend]
token = [\"$CANARY_TOKEN\"]"
    broken_config regsecret-in-log-level 600 "log_level = \"$CANARY_REGSECRET\""
    broken_config password-file-in-url 600 "[backend]
url = \"$CANARY_REGSECRET\"
registration_secret_file = \"$T/reg\""
    [ "$BROKEN" -eq 12 ]
    echo "broken configurations checked: $BROKEN, canary checks: $CANARY_CHECKS" >&3
}

@test "secrets pasted into non-secret keys (user, hostname, databases, url): ignored with a warning, no canary anywhere" {
    start_backend
    canary_file "$T/pw" "$CANARY_PGPASS"
    canary_file "$T/token" "$CANARY_TOKEN"
    canary_file "$T/reg" "$CANARY_REGSECRET"
    cfg=$(write_config pasted.toml "[collector]
id = \"$COLLECTOR_ID\"
hostname = \"$CANARY_TOKEN\"
interval = 1
push_interval = 1
state_dir = \"$STATE\"
log_file = \"$LOG\"
[backend]
url = \"$BACKEND_URL\"
token_file = \"$T/token\"
registration_secret_file = \"$T/reg\"
[postgresql]
host = \"127.0.0.1\"
port = $PGA_PG_PORT
user = \"$CANARY_PGPASS\"
database = \"postgres-$CANARY_REGSECRET\"
password_file = \"$T/pw\"
sslmode = \"disable\"
[exporter]
enabled = true
listen = \"127.0.0.1:$EXPORTER_PORT\"")
    run "$PGA_BIN/pganalytics" -c "$cfg" --validate-config
    [ "$status" -eq 0 ]
    [[ "$output" == *"warning: collector.hostname holds the backend token: ignored, the default applies"* ]]
    [[ "$output" == *"warning: postgresql.user holds the PostgreSQL password"* ]]
    [[ "$output" == *"warning: postgresql.database holds the registration secret"* ]]
    canary_absent_text --validate-config "$output"
    start_cron "$cfg"
    wait_until 60 accepted_at_least 2
    wait_until 60 status_true 'd["cycles"] >= 3'
    DIAG_REFUSES=1 check_running_outputs "$cfg"
    stop_cron
    grep -q 'holds the PostgreSQL password' "$OUT"
    grep -q 'Collecting metrics' "$LOG"
    canary_absent collector.log "$LOG"
    canary_absent cron-stdout-stderr "$OUT"
    canary_absent state_dir "$STATE"
    run backend_control GET '/_test/bodies?limit=1000'
    [[ "$output" == *'"hostname"'* ]]
    canary_absent_text backend-bodies "$output"
    run backend_control GET /_test/ledger
    [[ "$output" == *"$COLLECTOR_ID"* ]]
    canary_absent_text backend-ledger "$output"
}

@test "log_level = trace (what an operator turns on to debug): no canary in the verbose log" {
    start_backend
    canary_file "$T/pw" "$CANARY_PGPASS"
    canary_file "$T/token" "$CANARY_TOKEN"
    cfg=$(config collector.toml "token_file = \"$T/token\"" "password_file = \"$T/pw\"")
    sed -i 's/^\[collector\]$/[collector]\nlog_level = "trace"/' "$cfg"
    grep -qx 'log_level = "trace"' "$cfg"
    start_cron "$cfg"
    wait_until 60 accepted_at_least 3
    backend_control POST /_test/fault '{"mode":"status","status":401,"count":2,"path":"/api/v1/metrics/push"}' >/dev/null
    wait_until 60 grep -q '401' "$LOG"
    wait_until 60 accepted_at_least 5
    stop_cron
    grep -Eq '^(DEBUG|TRACE) ' "$LOG"
    check_after_stop
}
