# faults.bash - shared set-up of the fault suite (tests/faults/*.bats, `make test-faults`).
#
# Each scenario runs the real `pganalytics cron` against a real PostgreSQL (one throwaway cluster
# per file, bats/helpers/pg.bash) and the scriptable test backend (bats/helpers/backend.bash),
# injects a fault, and ends with `assert_nothing_lost NAME`: the ledger identity
# lost = created - counted drops - delivered-or-kept = 0 (helpers/ledger.py), written as one line
# to $PGA_FAULTS_LEDGER (a TSV the make target turns into a table) when that is set.
#
#   fault_setup / fault_teardown      per-test set-up: token file, state dir, time divisor
#   fault_config [EXTRA TOML]         writes the collector config, prints its path
#   start_cron CONFIG [ENV...]        starts `pganalytics cron` in the background (CRON_PID)
#   stop_cron                         SIGTERM, waits; fails unless it exits 0 within 20 s
#   wait_until SECONDS COMMAND...     (helpers/collector.bash) retries COMMAND until it succeeds
#   status_get EXPRESSION             a value of status.json (python expression on `d`)
#   spool_created                     the spool's created counter (sqlite, read-only)
#   created_at_least N                a condition for wait_until
#   settle SECONDS                    waits until the batches created so far are accepted or dropped
#   fault JSON / clear_faults         the backend's control API
#   assert_nothing_lost NAME          the ledger check, and the TSV line

PGA_SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
PGA_BUILD_DIR=${PGA_BUILD_DIR:-$PGA_SRC/build}
export PGA_SRC PGA_BUILD_DIR
load ../../bats/helpers/common
load ../../bats/helpers/backend
load ../../bats/helpers/pg
load ../../bats/helpers/collector

FAULT_TOKEN=faults-static-token
FAULT_COLLECTOR_ID=00000000-0000-4000-8000-000000000001

fault_setup() {
    pg_require
    [ -x "$PGA_BIN/pganalytics" ] || skip "pganalytics not built"
    export PGA_TEST_TIME_DIVISOR=${PGA_TEST_TIME_DIVISOR:-50}
    STATE="$BATS_TEST_TMPDIR/state"
    LOG="$BATS_TEST_TMPDIR/collector.log"
    CRON_OUT="$BATS_TEST_TMPDIR/cron.out"
    mkdir -p "$STATE"
    printf '%s\n' "$FAULT_TOKEN" >"$BATS_TEST_TMPDIR/token"
    chmod 600 "$BATS_TEST_TMPDIR/token"
    CRON_PID=
}

fault_teardown() {
    [ -z "${CRON_PID:-}" ] || kill -9 "$CRON_PID" 2>/dev/null || true
    backend_stop
}

# fault_config [EXTRA TOML]: every metric type due every second, short timeouts.
fault_config() {
    write_config collector.toml "[collector]
id = \"$FAULT_COLLECTOR_ID\"
interval = 1
push_interval = 1
state_dir = \"$STATE\"
log_file = \"$LOG\"
[backend]
url = \"$BACKEND_URL\"
token_file = \"$BATS_TEST_TMPDIR/token\"
timeout = 3
connect_timeout = 2
$(postgresql_toml)
connect_timeout = 3
$1"
}

start_cron() {
    local cfg=$1
    shift
    env "$@" "$PGA_BIN/pganalytics" -c "$cfg" cron >>"$CRON_OUT" 2>&1 3>&- &
    CRON_PID=$!
}

stop_cron() {
    [ -n "${CRON_PID:-}" ] || return 0
    kill -TERM "$CRON_PID"
    local deadline=$((SECONDS + 20)) rc=0
    while kill -0 "$CRON_PID" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "cron (pid $CRON_PID) still running 20 s after SIGTERM" >&2
            return 1
        fi
        sleep 0.1
    done
    wait "$CRON_PID" || rc=$?
    CRON_PID=
    [ "$rc" -eq 0 ] || { echo "cron exited $rc after SIGTERM" >&2; tail -5 "$CRON_OUT" >&2; return 1; }
}

status_get() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
        "$STATE/status.json" "$1" 2>/dev/null
}

# spool_sql SQL: one value from the spool, read-only; inside the mount namespace of the process
# $SPOOL_NS when that is set (a spool on a private tmpfs).
spool_sql() {
    ${SPOOL_NS:+nsenter -t "$SPOOL_NS" -m} python3 -c 'import sqlite3,sys; print(sqlite3.connect("file:"+sys.argv[1]+"?mode=ro",uri=True).execute(sys.argv[2]).fetchone()[0])' \
        "$STATE/spool/spool.db" "$1" 2>/dev/null
}

spool_created() {
    spool_sql "select coalesce((select value from counters where name='created'),0)"
}

created_at_least() {
    local n
    n=$(spool_created) || return 1
    [ "${n:-0}" -ge "$1" ]
}

# settle SECONDS: waits until every batch created so far was accepted by the backend or counted
# as dropped (batches created meanwhile may still be on their way: the ledger counts them as kept).
settle() {
    local target
    target=$(spool_created)
    wait_until "$1" settled_to "$target"
}

# settled_to N: accepted (unique) + counted drops >= N > 0.
settled_to() {
    local dropped
    dropped=$(spool_sql "select coalesce(sum(value),0) from counters where name like 'dropped_%'") || return 1
    [ "$1" -gt 0 ] && [ $(($(accepted_unique) + dropped)) -ge "$1" ]
}

accepted_unique() {
    json_get "$(backend_control GET '/_test/ledger?summary=1')" 'd["unique_batch_ids"]'
}

# control_get PATH EXPRESSION: a value of the control API's answer at PATH (python expression on
# `d`), fetched by python itself: bodies can exceed the size of an argument list.
control_get() {
    python3 -c 'import json,sys,urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + sys.argv[2], timeout=30))
print(eval(sys.argv[3]))' "$BACKEND_CONTROL" "$1" "$2"
}

fault() {
    local answer
    answer=$(backend_control POST /_test/fault "$1")
    [ "$(json_get "$answer" 'd["ok"]')" = True ] || { echo "fault script refused: $answer" >&2; return 1; }
}

clear_faults() {
    backend_control POST /_test/clear >/dev/null
}

# push_statuses: the HTTP statuses the backend answered to pushes, in order ("none" = no answer).
push_statuses() {
    json_get "$(backend_control GET '/_test/requests?limit=2000')" \
        '" ".join(str(r.get("status") or "none") for r in d["requests"] if r["path"]=="/api/v1/metrics/push")'
}

# assert_nothing_lost NAME [SPOOL_DB]: prints the ledger and fails unless lost = 0 and something
# was created; appends "NAME created accepted drops backlog duplicates lost" to $PGA_FAULTS_LEDGER.
assert_nothing_lost() {
    local name=$1 db=${2:-$STATE/spool/spool.db} l
    l=$(python3 "$PGA_SRC/tests/faults/helpers/ledger.py" "$db" "$BACKEND_CONTROL")
    echo "ledger of '$name': $l"
    LEDGER=$l
    local created lost
    created=$(json_get "$l" 'd["created"]')
    lost=$(json_get "$l" 'd["lost"]')
    if [ -n "${PGA_FAULTS_LEDGER:-}" ]; then
        json_get "$l" '"\t".join(str(x) for x in [d["created"], d["accepted"], d["dropped_total"], d["backlog"], d["duplicates"], d["lost"]])' |
            sed "s/^/$name\t/" >>"$PGA_FAULTS_LEDGER"
    fi
    [ "$created" -gt 0 ]
    [ "$lost" -eq 0 ]
}

# ledger_value EXPRESSION: a value of the last assert_nothing_lost ledger.
ledger_value() {
    json_get "$LEDGER" "$1"
}
