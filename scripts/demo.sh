#!/usr/bin/env bash
# make demo: start a throwaway PostgreSQL (tests/harness/pgcluster.sh), give it a small pgbench
# workload, run `pganalytics cron --once --dry-run` against it with a generated configuration, and
# print a readable summary of what would be sent. The server is stopped on exit, whatever happens.
#
#   scripts/demo.sh BUILD_DIR
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
pgbench=/usr/lib/postgresql/15/bin/pgbench
work=$(mktemp -d /tmp/pga-demo.XXXXXX)
chmod 755 "$work"

cleanup() {
    "$root/tests/harness/pgcluster.sh" stop --dir "$work/pg" --remove >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> starting a throwaway PostgreSQL 15 with pg_stat_statements"
eval "$("$root/tests/harness/pgcluster.sh" start --dir "$work/pg" --owner-pid $$)"

echo "==> running a small pgbench workload (database bench, 5 seconds)"
export PGHOST=$PGA_PG_HOST PGPORT=$PGA_PG_PORT PGUSER=postgres
psql -X -q -d postgres -c 'CREATE DATABASE bench' -c 'CREATE DATABASE shop'
psql -X -q -d shop -c 'CREATE TABLE orders (id int PRIMARY KEY, total numeric)' \
    -c 'INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 5000) g' \
    -c 'DELETE FROM orders WHERE id % 10 = 0'
"$pgbench" -q -i -s 2 bench >/dev/null 2>&1
"$pgbench" -c 4 -j 2 -T 5 bench >/dev/null 2>&1

echo "==> pganalytics cron --once --dry-run (as pga_monitor, databases discovered)"
cat >"$work/collector.toml" <<TOML
[collector]
id = "demo-collector"
state_dir = "$work/state"
log_file = "$work/collector.log"

[postgresql]
host = "127.0.0.1"
port = $PGA_PG_PORT
user = "pga_monitor"
password_file = "$PGA_PG_MONITOR_PASSWORD_FILE"
sslmode = "disable"
query_stats_limit = 10
TOML
chmod 600 "$work/collector.toml"
mkdir -p "$work/state" # as install.sh would have made it
"$build/tools/pganalytics" -c "$work/collector.toml" cron --once --dry-run >"$work/batch.json" 2>"$work/cron.err"
cp "$work/batch.json" "$build/demo-batch.json"

python3 - "$work/batch.json" <<'PY'
import collections, json, sys

batch = json.load(open(sys.argv[1]))
metrics = batch["metrics"]
print()
print(f"batch {batch['batch_id']}  sequence {batch['sequence']}  {batch['timestamp']}  "
      f"host {batch['hostname']}  {batch['metrics_count']} metric objects")
print()
print("metric objects per type:")
counts = collections.defaultdict(collections.Counter)
for m in metrics:
    counts[m["type"]][m["status"]] += 1
for t in sorted(counts):
    detail = ", ".join(f"{n} {s}" for s, n in sorted(counts[t].items()))
    print(f"  {t:<16} {detail}")
problems = [m for m in metrics if m["status"] != "ok"]
for m in problems:
    where = f" ({m['database']})" if "database" in m else ""
    print(f"  ! {m['type']}{where}: {m['status']}: {m.get('error') or m.get('reason')}")
print()
print("pg_query_stats per database:")
queries = []
for m in metrics:
    if m["type"] == "pg_query_stats" and m["status"] == "ok":
        print(f"  {m['database']:<10} {len(m['queries']):>3} statements sent of {m['statements_present']}"
              f" (sampling_percent {m['sampling_percent']:.1f})")
        queries += [(q, m["database"]) for q in m["queries"]]
print()
print("top 5 statements by total execution time:")
for q, db in sorted(queries, key=lambda x: -x[0]["total_time"])[:5]:
    text = " ".join((q.get("text") or "?").split())
    text = text if len(text) <= 60 else text[:57] + "..."
    print(f"  {q['total_time']:>9.1f} ms {q['calls']:>6} calls {q['mean_time']:>8.3f} ms/call  [{db}] {text}")
print()
for m in metrics:
    if m["type"] == "pg_stats" and m["status"] == "ok" and m["tables"]:
        top = m["tables"][0]
        print(f"pg_stats {m['database']}: {m['tables_total']} tables, largest {top['relname']} "
              f"({top['total_bytes']} bytes, {top['n_live_tup']} live / {top['n_dead_tup']} dead tuples)")
for m in metrics:
    if m["type"] == "sysstat" and m["status"] == "ok":
        cpu, mem, load = m["cpu"], m["memory"], m["load"]
        busy = 100 - cpu.get("idle_percent", 100)
        print(f"sysstat: cpu {busy:.1f}% busy on {cpu['cores']} cores, memory {mem['used_bytes'] / 2**30:.1f} of "
              f"{mem['total_bytes'] / 2**30:.1f} GiB used, load {load['load1']}, {len(m['disks'])} disks")
    if m["type"] == "disk_usage" and m["status"] == "ok":
        for fs in m["filesystems"]:
            print(f"disk_usage: {fs['mount_point']} ({fs['device']}, {fs['fstype']}) "
                  f"{fs['used_bytes'] / 2**30:.1f} of {fs['total_bytes'] / 2**30:.1f} GiB used")
        if m.get("data_directory"):
            print(f"disk_usage: data directory {m['data_directory']['path']} on {m['data_directory'].get('mount_point')}")
PY
echo
echo "The full batch (what would be sent to the backend) is in $build/demo-batch.json"
echo "Log lines of the run:"
grep -E "Starting collection loop|thread pool initialized|Parallel collection completed|Pool metrics" "$work/collector.log" \
    | sed 's/^/  /'
