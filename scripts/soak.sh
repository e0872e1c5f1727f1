#!/usr/bin/env bash
# soak.sh - a long run of `pganalytics cron` that must leave RSS, file descriptors, threads and
# PostgreSQL connections flat and lose no batch.
#
#   scripts/soak.sh [BUILD_DIR]          run the soak (BUILD_DIR default: build), then judge it
#   scripts/soak.sh --analyze DIR        judge an earlier run from DIR/samples.csv and DIR/ledger.txt
#
# The run: a throwaway PostgreSQL (tests/harness/pgcluster.sh), the test backend
# (tests/backend/pga_test_backend.py) and `pganalytics cron` with 1-second cycles and pushes, a
# dozen metric types due every cycle and the Prometheus exporter on loopback. Every
# SOAK_FLAP_EVERY_S seconds the backend misbehaves for SOAK_FLAP_LEN_S seconds (in turn: refused
# connections, a 503 burst, hung requests, 429 with Retry-After, connection resets, commit then
# drop) and is cleared; PostgreSQL is restarted SOAK_PG_RESTARTS times, evenly spread. Every
# SOAK_SAMPLE_S seconds a sample is taken: VmRSS, /proc/pid/fd and /proc/pid/task counts, the
# collector role's sessions in pg_stat_activity, status.json's cycle count, and /metrics is
# scraped. The collection interval cannot go below 1 s (PGA_TEST_TIME_DIVISOR only shortens the
# delivery timings: backoff, Retry-After, timeouts), so SOAK_CYCLES cycles take about as many seconds.
#
# Verdict, over the samples after the warm-up (the first SOAK_WARMUP_PCT % of the cycles):
#   fds, threads, connections: the median of the last quarter is not above the median of the first
#     quarter, and its maximum not above the first quarter's maximum + 2 (a socket or connection in
#     flight when the sample is taken is not growth; a leak of one a minute moves the median);
#   RSS: the median of the last quarter minus the median of the first quarter is below
#     SOAK_RSS_BOUND_KIB;
#   the ledger: lost = created - accepted (unique batch ids the backend holds) - counted drops -
#     still spooled = 0, and the collector exits 0 on SIGTERM having run SOAK_CYCLES cycles.
# Writes SOAK_OUT/samples.csv, SOAK_OUT/ledger.txt and SOAK_OUT/summary.md; prints the table.
# Exit codes: 0 pass, 1 fail, 2 usage error or the run could not be set up.
#
# Environment (defaults): SOAK_CYCLES (600), SOAK_OUT (BUILD_DIR/soak), SOAK_SAMPLE_S (5),
# SOAK_FLAP_EVERY_S (20), SOAK_FLAP_LEN_S (5), SOAK_PG_RESTARTS (2), SOAK_WARMUP_PCT (10),
# SOAK_RSS_BOUND_KIB (2048), SOAK_PG_VERSION (15).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly SRC
readonly PY=/usr/bin/python3

usage() {
    echo "usage: scripts/soak.sh [BUILD_DIR] | scripts/soak.sh --analyze DIR" >&2
    exit 2
}

# ---------------------------------------------------------------------------------------------
# The verdict (python: medians and the table are easier there).
analyze() {
    local dir=$1
    [[ -s $dir/samples.csv && -s $dir/ledger.txt ]] || {
        echo "soak: $dir has no samples.csv or ledger.txt" >&2
        return 2
    }
    "$PY" - "$dir" "${SOAK_WARMUP_PCT:-10}" "${SOAK_RSS_BOUND_KIB:-2048}" <<'PYEOF'
import csv, statistics, sys
out, warmup_pct, rss_bound = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = list(csv.DictReader(open(f"{out}/samples.csv")))
ledger = dict(line.strip().split("=", 1) for line in open(f"{out}/ledger.txt") if "=" in line)
num = lambda r, k: float(r[k]) if r.get(k, "") not in ("", "NA") else None
target = int(ledger.get("target_cycles", "0"))
last_cycles = max((num(r, "cycles") or 0) for r in rows) if rows else 0
warm_cycles = max(target, last_cycles) * warmup_pct / 100.0
after = [r for r in rows if (num(r, "cycles") or 0) > warm_cycles]
checks, fails = [], []
def check(name, ok, detail):
    checks.append((name, ok, detail))
    if not ok:
        fails.append(name)
table = []
if len(after) < 8:
    check("samples", False, f"only {len(after)} samples after the warm-up (need 8)")
else:
    q = max(2, len(after) // 4)
    first_q, last_q = after[:q], after[-q:]
    for key, label, unit in (("rss_kib", "RSS", "KiB"), ("fds", "open fds", ""), ("threads", "threads", ""),
                             ("pg_conns", "PostgreSQL connections", "")):
        vals = [num(r, key) for r in after if num(r, key) is not None]
        fq = [num(r, key) for r in first_q if num(r, key) is not None]
        lq = [num(r, key) for r in last_q if num(r, key) is not None]
        if not vals or not fq or not lq:
            check(label, False, "no values")
            continue
        first, last = vals[0], vals[-1]
        table.append((label + (f" ({unit})" if unit else ""), first, last, min(vals), max(vals),
                      statistics.median(fq), statistics.median(lq)))
        if key == "rss_kib":
            growth = statistics.median(lq) - statistics.median(fq)
            check("RSS growth", growth < rss_bound,
                  f"median of the last quarter - median of the first quarter = {growth:+.0f} KiB (bound {rss_bound:.0f} KiB)")
        else:
            flat = statistics.median(lq) <= statistics.median(fq) and max(lq) <= max(fq) + 2
            check(f"{label} flat", flat,
                  f"last quarter median {statistics.median(lq):g}, max {max(lq):.0f}; first quarter median "
                  f"{statistics.median(fq):g}, max {max(fq):.0f}")
lost = int(ledger.get("lost", "-1"))
check("ledger", lost == 0,
      f"lost = created {ledger.get('created')} - accepted {ledger.get('accepted_unique')} - dropped "
      f"{ledger.get('dropped')} - still spooled {ledger.get('backlog')} = {lost}")
cycles_done = int(ledger.get("cycles", "0"))
scrapes = [num(r, "metrics_bytes") or 0 for r in after]
check("exporter", bool(scrapes) and min(scrapes) > 0, f"/metrics answered {sum(1 for b in scrapes if b > 0)} of {len(scrapes)} scrapes")
check("cycles", cycles_done >= target, f"{cycles_done} cycles run (target {target})")
check("clean exit", ledger.get("exit_code") == "0", f"SIGTERM exit code {ledger.get('exit_code')}")
verdict = "PASS" if not fails else "FAIL"

lines = [f"# Soak: {verdict}", "",
         f"{cycles_done} cycles of 1 s in {ledger.get('duration_s')} s; {len(rows)} samples, "
         f"{len(after)} after the warm-up (first {warmup_pct:.0f}% = {warm_cycles:.0f} cycles); "
         f"{ledger.get('flaps')} backend flaps ({ledger.get('flap_kinds')}), "
         f"{ledger.get('pg_restarts')} PostgreSQL restarts; collector pid {ledger.get('pid')}.", "",
         "| measure | first after warm-up | last | min | max | median first quarter | median last quarter |",
         "|---|---|---|---|---|---|---|"]
for label, first, last, lo, hi, mf, ml in table:
    lines.append(f"| {label} | {first:.0f} | {last:.0f} | {lo:.0f} | {hi:.0f} | {mf:.0f} | {ml:.0f} |")
lines += ["", "| check | result | detail |", "|---|---|---|"]
for name, ok, detail in checks:
    lines.append(f"| {name} | {'ok' if ok else 'FAIL'} | {detail} |")
lines += ["", f"Spool counters: created {ledger.get('created')}, accepted {ledger.get('accepted')}, "
          f"dropped {ledger.get('dropped')}; backend: {ledger.get('accepted_unique')} unique batch ids, "
          f"{ledger.get('duplicates')} duplicates, {ledger.get('requests_total')} requests. Faults seen by the collector: "
          f"{ledger.get('push_retries')} pushes answered retryable, {ledger.get('push_transport_errors')} transport "
          f"errors, {ledger.get('pg_unreachable_logged')} 'cannot reach PostgreSQL' log lines.", ""]
text = "\n".join(lines)
open(f"{out}/summary.md", "w").write(text)
print(text)
sys.exit(0 if not fails else 1)
PYEOF
}

# ---------------------------------------------------------------------------------------------
# The run.
WORK=""
PG_STARTED=0
BACKEND_PID=""
CRON_PID=""

cleanup() {
    local rc=$?
    if [[ -n $CRON_PID ]]; then
        kill -9 "$CRON_PID" 2>/dev/null || true
        wait "$CRON_PID" 2>/dev/null || true
    fi
    if [[ -n $BACKEND_PID ]]; then
        kill "$BACKEND_PID" 2>/dev/null || true
        wait "$BACKEND_PID" 2>/dev/null || true
    fi
    if ((PG_STARTED)); then
        "$SRC/tests/harness/pgcluster.sh" stop --dir "$WORK/pg" --remove >/dev/null 2>&1 || true
    fi
    [[ -z $WORK ]] || rm -rf "$WORK"
    exit "$rc"
}

say() { printf '%s soak: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

control() { # control METHOD PATH [JSON]
    curl -sS -m 10 -X "$1" ${3:+-d "$3"} "$BACKEND_CONTROL$2" >/dev/null
}

json_field() { # json_field FILE EXPRESSION (python on d)
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

cycles_now() {
    json_field "$WORK/state/status.json" 'd["cycles"]' || echo 0
}

spool_sql() {
    "$PY" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0])' \
        "$WORK/state/spool/spool.db" "$1"
}

pg_conns() {
    "$PGA_PG_BIN/psql" -X -q -A -t -h "$PGA_PG_HOST" -p "$PGA_PG_PORT" -U postgres -d postgres \
        -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'pga_monitor'" 2>/dev/null || echo NA
}

pg_restart() {
    say "restarting PostgreSQL"
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$PGA_PG_BIN/pg_ctl" -D "$PGA_PG_DATA" -m fast -w -t 60 -s restart \
            -l "$WORK/pg/pg_ctl.log") >/dev/null 2>&1
    else
        "$PGA_PG_BIN/pg_ctl" -D "$PGA_PG_DATA" -m fast -w -t 60 -s restart -l "$WORK/pg/pg_ctl.log" >/dev/null 2>&1
    fi
}

# The backend faults, in turn: NAME JSON.
readonly PUSH='"path":"/api/v1/metrics/push"'
FAULTS=(
    "refuse|{\"mode\":\"refuse\"}"
    "503-burst|{\"mode\":\"status\",\"status\":503,\"count\":-1,$PUSH}"
    "hang|{\"mode\":\"hang\",\"seconds\":3600,\"count\":-1,$PUSH}"
    "429-retry-after|{\"mode\":\"status\",\"status\":429,\"retry_after\":\"1\",\"count\":-1,$PUSH}"
    "reset|{\"mode\":\"reset\",\"count\":-1,$PUSH}"
    "commit-then-drop|{\"mode\":\"commit_then_drop\",\"count\":3,$PUSH}"
)

run_soak() {
    local build=$1
    local bin="$build/tools"
    local cycles_target=${SOAK_CYCLES:-600} sample_s=${SOAK_SAMPLE_S:-5} flap_every=${SOAK_FLAP_EVERY_S:-20}
    local flap_len=${SOAK_FLAP_LEN_S:-5} restarts=${SOAK_PG_RESTARTS:-2}
    local out=${SOAK_OUT:-$build/soak}
    [[ -x $bin/pganalytics ]] || { echo "soak: $bin/pganalytics is not built" >&2; exit 2; }
    for v in "$cycles_target" "$sample_s" "$flap_every" "$flap_len" "$restarts"; do
        [[ $v =~ ^[0-9]+$ ]] || { echo "soak: SOAK_* values must be whole numbers, got '$v'" >&2; exit 2; }
    done
    ((cycles_target >= 10 && sample_s >= 1 && flap_every > flap_len)) ||
        { echo "soak: need SOAK_CYCLES >= 10, SOAK_SAMPLE_S >= 1, SOAK_FLAP_EVERY_S > SOAK_FLAP_LEN_S" >&2; exit 2; }
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    rm -f "$out/samples.csv" "$out/ledger.txt" "$out/summary.md"

    trap cleanup EXIT
    trap 'exit 1' INT TERM
    WORK=$(mktemp -d /tmp/pga-soak.XXXXXX)
    chmod 755 "$WORK"

    say "starting PostgreSQL ${SOAK_PG_VERSION:-15} in $WORK/pg"
    PG_STARTED=1
    "$SRC/tests/harness/pgcluster.sh" start --dir "$WORK/pg" --version "${SOAK_PG_VERSION:-15}" --owner-pid $$ \
        >/dev/null 2>"$WORK/pg.err" || { cat "$WORK/pg.err" >&2; exit 2; }
    # shellcheck disable=SC1091
    . "$WORK/pg/env.sh"

    local token
    token="soak-token-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    local collector_id=00000000-0000-4000-8000-00000000050a
    say "starting the test backend"
    "$PY" "$SRC/tests/backend/pga_test_backend.py" --port-file "$WORK/backend.json" --static-token "$token" \
        --static-collector-id "$collector_id" --log "$WORK/backend.log" --keep-bodies 1 --keep-requests 200 \
        --exit-with-pid $$ >"$WORK/backend.out" 2>&1 &
    BACKEND_PID=$!
    for _ in $(seq 100); do
        [[ -s $WORK/backend.json ]] && break
        sleep 0.1
    done
    [[ -s $WORK/backend.json ]] || { cat "$WORK/backend.out" >&2; exit 2; }
    local port control_port exporter_port
    port=$(json_field "$WORK/backend.json" 'd["port"]')
    control_port=$(json_field "$WORK/backend.json" 'd["control_port"]')
    BACKEND_CONTROL="http://127.0.0.1:$control_port"
    exporter_port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

    (umask 077 && printf '%s\n' "$token" >"$WORK/token")
    mkdir -p "$WORK/state"
    local cfg="$WORK/collector.toml" types=""
    for t in pg_connections pg_locks pg_query_stats pg_stats pg_wal pg_checkpointer pg_cache pg_settings \
        pg_replication pg_log sysstat disk_usage; do
        types+="[$t]"$'\n'"interval = 1"$'\n'
    done
    (umask 077 && cat >"$cfg" <<EOF
[collector]
id = "$collector_id"
interval = 1
push_interval = 1
state_dir = "$WORK/state"
log_file = "$WORK/collector.log"
[backend]
url = "http://127.0.0.1:$port"
token_file = "$WORK/token"
timeout = 10
connect_timeout = 2
[postgresql]
host = "127.0.0.1"
port = $PGA_PG_PORT
user = "pga_monitor"
password_file = "$PGA_PG_MONITOR_PASSWORD_FILE"
sslmode = "disable"
[exporter]
enabled = true
listen = "127.0.0.1:$exporter_port"
$types
EOF
    )
    "$bin/pganalytics" -c "$cfg" --validate-config >/dev/null

    say "starting pganalytics cron: $cycles_target cycles, sample every ${sample_s}s, flap every ${flap_every}s for ${flap_len}s, $restarts PostgreSQL restart(s)"
    PGA_TEST_TIME_DIVISOR=${PGA_TEST_TIME_DIVISOR:-50} "$bin/pganalytics" -c "$cfg" cron >"$WORK/cron.out" 2>&1 &
    CRON_PID=$!

    echo "elapsed_s,cycles,rss_kib,fds,threads,pg_conns,metrics_bytes,fault" >"$out/samples.csv"
    local start=$SECONDS now elapsed cycles=0 next_sample=0 next_flap=$flap_every flap_end=-1 fault="none"
    local flaps=0 kinds="" restarts_done=0 next_restart_cycle=0 deadline=$((cycles_target * 3 + 120))
    ((restarts == 0)) || next_restart_cycle=$((cycles_target / (restarts + 1)))
    while :; do
        now=$SECONDS
        elapsed=$((now - start))
        kill -0 "$CRON_PID" 2>/dev/null || { say "the collector died"; break; }
        cycles=$(cycles_now)
        ((cycles < cycles_target)) || break
        ((elapsed < deadline)) || { say "time limit reached at $cycles cycles"; break; }
        # backend flaps
        if ((flap_end >= 0 && elapsed >= flap_end)); then
            control POST /_test/clear || true
            fault="none"
            flap_end=-1
        fi
        if ((elapsed >= next_flap)); then
            local entry=${FAULTS[flaps % ${#FAULTS[@]}]}
            fault=${entry%%|*}
            control POST /_test/fault "${entry#*|}" || say "fault $fault not applied"
            [[ ",$kinds," == *",$fault,"* ]] || kinds+=${kinds:+,}$fault
            flaps=$((flaps + 1))
            flap_end=$((elapsed + flap_len))
            next_flap=$((elapsed + flap_every))
        fi
        # PostgreSQL restarts
        if ((restarts_done < restarts && cycles >= next_restart_cycle)); then
            pg_restart || say "PostgreSQL restart failed"
            restarts_done=$((restarts_done + 1))
            next_restart_cycle=$((cycles_target * (restarts_done + 1) / (restarts + 1)))
        fi
        # samples
        if ((elapsed >= next_sample)); then
            local rss fds threads conns mbytes
            rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$CRON_PID/status" 2>/dev/null || echo NA)
            fds=$(find "/proc/$CRON_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
            threads=$(find "/proc/$CRON_PID/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
            conns=$(pg_conns)
            mbytes=$(curl -sS -m 5 "http://127.0.0.1:$exporter_port/metrics" 2>/dev/null | wc -c)
            echo "$elapsed,$cycles,${rss:-NA},$fds,$threads,${conns:-NA},$mbytes,$fault" >>"$out/samples.csv"
            next_sample=$((elapsed + sample_s))
        fi
        sleep 1
    done

    local retries transport_errors pg_errors
    retries=$(json_field "$WORK/state/status.json" 'd["delivery"]["requests"]["retry"]' || echo NA)
    transport_errors=$(json_field "$WORK/state/status.json" 'd["delivery"]["requests"]["transport_error"]' || echo NA)
    pg_errors=$(grep -c 'cannot reach PostgreSQL' "$WORK/collector.log" || true)
    say "clearing faults and waiting for the spool to drain"
    control POST /_test/clear || true
    local drain_end=$((SECONDS + 120))
    while ((SECONDS < drain_end)) && [[ $(spool_sql 'select count(*) from entries' 2>/dev/null || echo 1) != 0 ]]; do
        sleep 0.5
    done
    local rc=0
    if kill -0 "$CRON_PID" 2>/dev/null; then
        kill -TERM "$CRON_PID"
        wait "$CRON_PID" || rc=$?
    else
        wait "$CRON_PID" || rc=$?
        [[ $rc != 0 ]] || rc=died
    fi
    local pid=$CRON_PID
    CRON_PID=""
    local duration=$((SECONDS - start))

    local created accepted dropped backlog summary accepted_unique duplicates requests_total
    created=$(spool_sql "select coalesce((select value from counters where name='created'),0)")
    accepted=$(spool_sql "select coalesce((select value from counters where name='accepted'),0)")
    dropped=$(spool_sql "select coalesce(sum(value),0) from counters where name like 'dropped_%'")
    backlog=$(spool_sql 'select count(*) from entries')
    summary=$(curl -sS -m 10 "$BACKEND_CONTROL/_test/ledger?summary=1")
    accepted_unique=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["unique_batch_ids"])' "$summary")
    duplicates=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["duplicates"])' "$summary")
    requests_total=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["requests_total"])' "$summary")
    cycles=$(cycles_now)
    cat >"$out/ledger.txt" <<EOF
target_cycles=$cycles_target
cycles=$cycles
duration_s=$duration
pid=$pid
exit_code=$rc
flaps=$flaps
flap_kinds=${kinds:-none}
pg_restarts=$restarts_done
created=$created
accepted=$accepted
dropped=$dropped
backlog=$backlog
accepted_unique=$accepted_unique
duplicates=$duplicates
requests_total=$requests_total
push_retries=$retries
push_transport_errors=$transport_errors
pg_unreachable_logged=$pg_errors
lost=$((created - accepted_unique - dropped - backlog))
EOF
    cp "$WORK/collector.log" "$out/collector.log" 2>/dev/null || true
    say "done: $cycles cycles in ${duration}s; judging"
    local verdict=0
    analyze "$out" || verdict=$?
    echo "samples: $out/samples.csv  summary: $out/summary.md" >&2
    return "$verdict"
}

case ${1:-} in
--analyze)
    [[ $# -eq 2 ]] || usage
    analyze "$2"
    ;;
-h | --help) usage ;;
-*) usage ;;
*)
    [[ $# -le 1 ]] || usage
    run_soak "$(cd "${1:-${PGA_BUILD_DIR:-$SRC/build}}" && pwd)"
    ;;
esac
