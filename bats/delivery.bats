#!/usr/bin/env bats
# `pganalytics cron` delivering to the test backend: the guide's log lines, a kill -9 while the
# backend is down followed by a restart (lost = created - accepted - counted drops = 0 against the
# backend's ledger), the TLS warning, and a real Prometheus scraping the exporter so that the
# guide's PromQL returns data.

load helpers/common
load helpers/backend
load helpers/collector

TOKEN=bats-static-token
COLLECTOR_ID=00000000-0000-4000-8000-000000000001

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
    export PGA_TEST_TIME_DIVISOR=50
    STATE="$BATS_TEST_TMPDIR/state"
    LOG="$BATS_TEST_TMPDIR/collector.log"
    printf '%s\n' "$TOKEN" >"$BATS_TEST_TMPDIR/token"
    chmod 600 "$BATS_TEST_TMPDIR/token"
}

teardown() {
    [ -z "${CRON_PID:-}" ] || kill -9 "$CRON_PID" 2>/dev/null || true
    [ -z "${PROM_PID:-}" ] || { kill "$PROM_PID" 2>/dev/null; wait "$PROM_PID" 2>/dev/null; } || true
    backend_stop
}

# config [EXTRA TOML]: writes the collector config for the running backend and PostgreSQL.
config() {
    write_config collector.toml "[collector]
id = \"$COLLECTOR_ID\"
interval = 1
push_interval = 1
state_dir = \"$STATE\"
log_file = \"$LOG\"
[backend]
url = \"$BACKEND_URL\"
token_file = \"$BATS_TEST_TMPDIR/token\"
$(postgresql_toml)
$1"
}

start_cron() {
    "$PGA_BIN/pganalytics" -c "$1" cron >>"$BATS_TEST_TMPDIR/cron.out" 2>&1 3>&- &
    CRON_PID=$!
}


unique_accepted() {
    json_get "$(backend_control GET '/_test/ledger?summary=1')" 'd["unique_batch_ids"]'
}

at_least_accepted() {
    [ "$(unique_accepted)" -ge "$1" ]
}

# spool_counter NAME: a counter of the spool (python's sqlite3; the collector may be stopped).
spool_counter() {
    python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(
        "select coalesce((select value from counters where name=?),0)", (sys.argv[2],)).fetchone(); print(r[0])' \
        "$STATE/spool/spool.db" "$1"
}

spool_created_at_least() {
    [ "$(spool_counter created)" -ge "$1" ]
}

spool_backlog() {
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from entries").fetchone()[0])' \
        "$STATE/spool/spool.db"
}

spool_empty() {
    [ "$(spool_backlog)" -eq 0 ]
}

@test "cron pushes batches with the guide's log lines and stops cleanly on SIGTERM" {
    backend_start --static-token "$TOKEN"
    start_cron "$(config)"
    wait_until 30 at_least_accepted 1
    kill -TERM "$CRON_PID"
    wait "$CRON_PID"
    CRON_PID=
    grep -Eq 'Pushing [0-9]+ metrics to backend\.\.\.' "$LOG"
    grep -q 'Metrics pushed successfully' "$LOG"
    run grep -c "$TOKEN" "$LOG"
    [ "$output" = 0 ]
    ledger=$(backend_control GET /_test/ledger)
    [ "$(json_get "$ledger" 'd["accepted"][0]["collector_id"]')" = "$COLLECTOR_ID" ]
    [ "$(json_get "$ledger" 'sorted(d["accepted"][0]["types"])[0]')" != "" ]
}

@test "kill -9 while the backend is down, then a restart: nothing is lost" {
    backend_start --static-token "$TOKEN"
    backend_control POST /_test/fault '{"mode":"refuse"}'
    cfg=$(config)
    start_cron "$cfg"
    wait_until 30 test -e "$STATE/spool/spool.db"
    wait_until 60 spool_created_at_least 2
    kill -9 "$CRON_PID"
    wait "$CRON_PID" || true
    CRON_PID=
    created=$(spool_counter created)
    [ "$created" -ge 2 ]
    [ "$(spool_counter accepted)" -eq 0 ]
    backend_control POST /_test/clear
    start_cron "$cfg"
    wait_until 30 at_least_accepted "$created"
    kill -TERM "$CRON_PID"
    wait "$CRON_PID"
    CRON_PID=
    created=$(spool_counter created)
    dropped=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
        "select coalesce(sum(value),0) from counters where name like ?", ("dropped_%",)).fetchone()[0])' "$STATE/spool/spool.db")
    lost=$((created - $(unique_accepted) - dropped - $(spool_backlog)))
    [ "$lost" -eq 0 ]
}

@test "verify = false is warned about at every start" {
    backend_start --static-token "$TOKEN"
    cfg=$(config "[tls]
verify = false")
    warnings() {
        [ "$(grep -c 'TLS certificate verification of the backend is OFF' "$LOG" 2>/dev/null)" -eq "$1" ]
    }
    for round in 1 2; do
        start_cron "$cfg"
        wait_until 30 warnings "$round"
        kill -TERM "$CRON_PID"
        wait "$CRON_PID"
        CRON_PID=
    done
    grep -q 'WARN .*TLS certificate verification' "$LOG"
}

@test "a real Prometheus scrapes the collector and the guide's queries return data" {
    [ -x /usr/bin/prometheus ] || skip "prometheus not installed"
    backend_start --static-token "$TOKEN"
    exporter_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    start_cron "$(config "[exporter]
enabled = true
listen = \"127.0.0.1:$exporter_port\"")"
    cat >"$BATS_TEST_TMPDIR/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: pganalytics-collector
    static_configs:
      - targets: ['127.0.0.1:$exporter_port']
YAML
    /usr/bin/prometheus --config.file="$BATS_TEST_TMPDIR/prometheus.yml" \
        --storage.tsdb.path="$BATS_TEST_TMPDIR/prom-data" --web.listen-address="127.0.0.1:$prom_port" \
        --log.level=error 3>&- &
    PROM_PID=$!
    query() {
        curl -sS -G "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" 2>/dev/null
    }
    has_data() {
        [ "$(json_get "$(query "$1")" 'len(d["data"]["result"])' 2>/dev/null)" -gt 0 ] 2>/dev/null
    }
    wait_until 60 has_data 'rate(pganalytics_connection_pool_reuses[5m]) / rate(pganalytics_connection_pool_acquisitions[5m])'
    has_data 'process_resident_memory_bytes{job="pganalytics-collector"}'
    has_data 'process_cpu_seconds_total{job="pganalytics-collector"}'
    has_data 'rate(pganalytics_collection_cycle_ms[5m])'
    curl -sf "http://127.0.0.1:$exporter_port/health"
}
