#!/usr/bin/env python3
"""Writes docs/benchmarks.md (to stdout) from the JSON that scripts/bench.sh collected: one table
per scenario, the issue-8 targets marked met or missed, and the machine it ran on."""
import json
import os
import platform
import subprocess
import sys

out = sys.argv[1]
runs = {n: json.load(open(os.path.join(out, n + ".json"))) for n in ("S1", "S2", "S3", "S3k")
        if n != "S3k" or os.path.exists(os.path.join(out, n + ".json"))}
CORES = os.cpu_count() or 1
soak = json.load(open(os.path.join(out, "soak.json")))
MIB = 1024 * 1024

# Why the targets this machine misses are missed, read from the tables above (kept by hand; check
# it against the numbers after each run).
WHY = """
## Why the missed targets are missed

- **S3 cycle time (p50 < 1 s, p95 < 1.5 s).** With 100 databases and pool_max_size 10, every cycle
  starts a new backend for each database (96–100 per cycle). One bare connection costs about 25 ms
  on this machine (fork and start-up of a backend), 1.1 s per cycle over the two cores before any
  query runs. Each new backend then fills its catalog caches, so the same SQL costs several times
  what it costs on a warm connection (pg_bloat's table estimate for 20 tables: about 25 ms in a new
  backend, 4 ms in a warm one). The floor, the same SQL from a bare client with the same
  connections, takes as long as our cycle (overhead 0.91× in this run, 1.17× in the one before:
  the floor itself moves by ±10% between runs), so no client-side change can make S3 much faster.
  S3k is the same cluster with every database's connection kept (pool_max_size 110): about 4.7×
  faster. There PostgreSQL executes about 2 s per cycle for the role (1.7–2.2 s across runs), over
  the two cores about 1 s: the server's own floor for running every per-database type on 100
  databases in one cycle on this machine. To get under 1 s a cycle has to run less per-database
  SQL. By default pg_bloat runs every 30 minutes and pg_schema and pg_extensions every hour; this
  benchmark runs them every cycle to measure the worst case. Operators with more databases than
  pool_max_size should raise pool_max_size above the database count where max_connections allows.
- **S3k run to run.** S3k's p50 was 1263 ms (1.04× its floor) in the previous run and 1591 ms
  (1.19×) in this one, on code that differs only in writing rows as text (which lowered our CPU).
  PostgreSQL-side time per cycle rose from 1.66 to 2.15 s between the two, so the difference is on
  the server; two runs are not enough to state S3k closer than that.
- **S3 collector CPU (< 0.3 core-s).** 0.36 s, down from 0.75 (S3k: 0.30 s). The catalog
  collectors now write their rows straight to text (0.51 → 0.36 s, see below). The rest goes to:
  - system calls, which are dear on this virtual machine: a bare libpq client spends about 20 µs
    of CPU per `SELECT 1` (three or four system calls). One per-database run of pg_extensions (one
    query, two rows) costs us about 180 µs: strace counts about 20 system calls per run (poll,
    futex, sendto, recvfrom, and the two `clock_gettime` of the run's own CPU figure), and a cycle
    of S3 has 500 such runs;
  - libpq connection set-up 100 times per cycle (S3 against S3k: about 0.06 s);
  - pg_bloat and pg_extensions, which still build a document tree per row.
- **S3 peak RSS (< 32 MB).** 63.5 MiB, down from 172.8. What remains:
  - the cycle's 9 MB of metric texts;
  - the push body built from them (9 MB more);
  - pg_query_stats' libpq result for 5,000 statements (4.4 MB) while its text is written;
  - the freed memory glibc keeps.
  Getting under 32 MB needs the batch streamed into spool items as runs finish, instead of held
  for the whole cycle.
"""

# What pga-bench's per-type CPU/wall columns and the connection counts pointed at, and what the
# fix changed (measured with pga-bench on this 2-core machine, before -> after). Kept by hand.
HISTORY = """
## What was found and fixed (before → after)

| finding | fix | measured with | before | after |
|---|---|---|---|---|
| With more databases than `pool_max_size`, every per-database type borrowed its own connection and the pool closed the *oldest* idle one to make room: exactly the one the next type needed | per-database types of one database run as one task on one connection (when databases ≥ workers); at the cap the pool closes the *newest* idle connection | `pga-bench --scale 12 --tables 5 --statements 600 -n 5` | 16 connections opened per cycle, reuse 77%, cycle p50 1193 ms | 7 per cycle, reuse 89%, p50 677 ms |
| Each of the 4 worker threads got its own glibc malloc arena, which kept freed memory resident | `M_ARENA_MAX=2` at start (`util::limit_malloc_arenas`) | `pga-bench --scale 3 --tables 5 --statements 300 -n 10` | peak RSS 48.8 MiB | 35.4 MiB |
| pg_log allocated (and zero-filled) its whole per-cycle byte budget every cycle, however little the log had grown: 30–37 ms of CPU per cycle and an 8 MiB step in RSS | read only what the file holds beyond the saved offset | the same | pg_log CPU 37 ms per cycle | see the per-type table above |
| Where S3's time goes, per statement and in planning (pg_stat_statements with track_planning, log_min_duration_statement on the S3 cluster): pg_bloat's table estimate joined the `pg_stats` view, which checks the privileges of every column in the database (3,494 with the catalogs) before the join; pg_stats sized each table twice (pg_total_relation_size is table + indexes, computed again) | `pg_stats` looked up per column through a LATERAL subquery; total = table + indexes | S3 cluster, PostgreSQL execution time of the role | 11.6 s per cycle; warm, table bloat 4.4 ms and table stats 4.4 ms per database | 5.7 s; 1.8 ms and 2.5 ms |
| perf on the server: a bare connection costs about 27 ms on this machine (fork, start-up, exit), and a new backend's first queries fill its catalog caches | none possible in the client with more databases than pool_max_size (see why below); measured and reported: *one connection*, *connecting alone*, and S3k with the connections kept | `pgbench -C`, `pga-bench --floor` | – | S3 8.3 s against S3k 1.6 s |
| A cycle's metric objects were held as one nlohmann::json tree of the whole cycle (several times the text), copied again when the cycle was assembled and again for the 413 split, and serialized three times | `collect::Metric`: each object serialized once, by the worker that collected it; the split groups references; pg_query_stats writes its 5,000 entries as text as it reads them; the push body is built in one allocation | `pga-bench -c` on the S3 cluster, `heaptrack` | peak RSS 162 MiB, CPU 549 ms per cycle | 55 MiB, 466 ms (make bench: S3 172.8 → 61.7 MiB, S2 37.9 → 21.8 MiB) |
| S2 reopened about 7 connections per cycle (reuse 89%): ten databases plus the maintenance database are 11 for 10 connections, and the cluster-wide collectors ran side by side on the maintenance database, holding up to one connection per worker; closing a database's second idle connection first did not change it | with at least as many databases as workers, the cluster-wide runs share one task (one connection), queued first, as each database's runs already did | `make bench` S2 | reuse 89.2%, up to 7 opened per cycle, p50 495 ms | 97.4%, up to 2 per cycle, p50 300 ms |
| S3k, with room in the pool for every database and every worker, lost time to the shared cluster-wide task (cycle p50 1.38 → 1.63 s after it came in): one slow cluster-wide type held up the others | the cluster-wide runs share one task only when the pool cannot hold a connection per database plus one per worker | `make bench` S3k | p50 1629 ms, 1.20× its floor, CPU 0.41 s | 1263 ms, 1.04×, 0.32 s (S2 unchanged: reuse 97.4%) |
| callgrind of a cycle on 10 databases: the catalog collectors built an nlohmann object per row (a map insert per field, each column looked up by name for every row) and serialized it right away; row_object and its dump were over half of the collection's instructions | `collectors::RowWriter` / `rows_json` write each row straight to text (columns looked up once); pg_stats, pg_cache, pg_schema and pg_query_stats use it; unit and fuzz tests check it writes exactly the object row_object builds | `valgrind --tool=callgrind`, A/B of `pga-bench -c` on 10 databases, `make bench` S3 | cycle CPU 39 ms (10 databases); S3 0.512 s | 28–30 ms; S3 0.357 s |
| RSS over 1,000 cycles of S1 rose by 2 MiB: pga-bench's own per-cycle records (16 types × 1,000 samples), not the collector | the bench allocates and touches its records' room before measuring | `pga-bench --scale 1 -n 1000 --warmup 0` | 15.6 → 17.6 MiB | 17.0 → 16.9 MiB |
"""


def machine():
    model = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = int(line.split()[1]) / 1024 / 1024
    debian = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else "?"
    return f"{os.cpu_count()} × {model}, {mem:.1f} GiB RAM, Linux {platform.release()}, Debian {debian}"


def pg_version(v):
    return f"{v // 10000}.{v % 10000}"


def mark(ok):
    return "met" if ok else "**not met**"


rows = []
targets = []
for name, r in runs.items():
    c = r["cycle"]
    peer = r.get("postgres_exporter") or {}
    opened = [x["connections_opened"] for x in r["cycles"] if not x["warmup"]]
    opened_p50 = sorted(opened)[len(opened) // 2] if opened else 0
    connect_ms = (r["floor"] or {}).get("connect_ms", 0)
    # connecting alone: the connections a cycle opens, each at the bare price, spread over the cores
    conn_floor = opened_p50 * connect_ms / min(CORES, r["threads"])
    rows.append(
        f"| {name} | {r['databases']} | {r['scale']['statements_tracked']} | {c['wall_ms']['p50']:.0f} | "
        f"{c['wall_ms']['p95']:.0f} | {(r['floor'] or {}).get('wall_ms', {}).get('p50', 0):.0f} | "
        f"{(r['overhead_vs_floor'] or 0):.2f}× | {connect_ms:.1f} | {conn_floor:.0f} | "
        f"{c['cpu_ms']['p50'] / 1000:.3f} | {r['peak_rss_bytes'] / MIB:.1f} | "
        f"{max(opened) if opened else 0} | {r['peak_connections']}/{r['pool_max_size']} | {r['pool_reuse_pct']:.1f}% | "
        f"{(r['server_exec_ms_per_cycle'] or 0):.0f} | {c['payload_bytes']['p50'] / 1024:.0f} / "
        f"{c['payload_gzip_bytes']['p50'] / 1024:.0f} |")
    targets.append((f"{name}: overhead vs the floor ≤ 1.3×", f"{(r['overhead_vs_floor'] or 0):.2f}×",
                    r["overhead_vs_floor"] is not None and r["overhead_vs_floor"] <= 1.3))
    if peer:
        targets.append((f"{name}: faster than postgres_exporter on the shared families",
                        f"ours p50 {peer['ours_wall_ms']['p50']:.1f} ms vs scrape p50 {peer['scrape_ms']['p50']:.1f} ms",
                        peer["ours_wall_ms"]["p50"] < peer["scrape_ms"]["p50"]))
    if name == "S3k":
        targets.append(("S3k (S3, connections kept): cycle p50 < 1 s", f"{c['wall_ms']['p50']:.0f} ms",
                        c["wall_ms"]["p50"] < 1000))
    elif name in ("S1", "S2"):
        targets.append((f"{name}: pool reuse > 95% in steady state", f"{r['pool_reuse_pct']:.1f}%",
                        r["pool_reuse_pct"] > 95))
    else:
        targets.append(("S3: connections opened per cycle ≤ databases", f"at most {max(opened)} per cycle",
                        max(opened) <= r["databases"]))
        targets.append(("S3: connections never above pool_max_size",
                        f"peak {r['peak_connections']} of {r['pool_max_size']}",
                        r["peak_connections"] <= r["pool_max_size"]))

s3 = runs["S3"]
targets = [
    ("S3: cycle p50 < 1 s", f"{s3['cycle']['wall_ms']['p50']:.0f} ms", s3["cycle"]["wall_ms"]["p50"] < 1000),
    ("S3: cycle p95 < 1.5 s", f"{s3['cycle']['wall_ms']['p95']:.0f} ms", s3["cycle"]["wall_ms"]["p95"] < 1500),
    ("S3: peak RSS < 32 MB", f"{s3['peak_rss_bytes'] / MIB:.1f} MiB", s3["peak_rss_bytes"] < 32 * 1000 * 1000),
    ("S3: collector CPU < 0.3 core-s per cycle", f"{s3['cycle']['cpu_ms']['p50'] / 1000:.3f} s",
     s3["cycle"]["cpu_ms"]["p50"] < 300),
] + targets

rss = [x["rss_bytes"] for x in soak["cycles"]]
warm = rss[min(len(rss) - 1, max(0, len(rss) // 10))]
growth = (rss[-1] - warm) / warm * 100 if warm else 0
targets.append((f"RSS flat across {len(rss)} cycles (S1, after the first 10%)",
                f"{warm / MIB:.1f} → {rss[-1] / MIB:.1f} MiB ({growth:+.1f}%)", abs(growth) < 5))

print("# Benchmarks\n")
print("Written by `make bench` (scripts/bench.sh, scripts/bench_report.py); numbers from the last run.\n")
print(f"Machine: {machine()}. PostgreSQL {pg_version(runs['S1']['server_version'])} "
      f"(throwaway clusters built by `pga-bench --scale`, fsync off). pganalytics {runs['S1']['version']}, "
      f"{runs['S1']['threads']} threads, pool_max_size {runs['S1']['pool_max_size']}, "
      f"{runs['S1']['cycle']['wall_ms']['count']} measured cycles per scenario after one warm-up; every "
      "cycle runs every default metric type.\n")
print("| scenario | databases | statements | p50 ms | p95 ms | floor p50 ms | overhead | one connection ms | "
      "connecting alone ms/cycle | CPU s/cycle | "
      "peak RSS MiB | conns opened/cycle (max) | peak conns | pool reuse | PG-side ms/cycle | payload KiB raw / gzip |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
print("\n".join(rows))
print("\nThe floor replays the SQL of one cycle, recorded run by run (`pga-bench --floor`), with a bare "
      "client: the same number of threads taking the runs in recorded order, at most pool_max_size "
      "connections shared between them (an idle one to the same database reused, the newest idle one "
      "closed to make room), after one untimed replay. Overhead = our cycle p50 / floor p50; it includes "
      "the collectors' work outside SQL (parsing, JSON, the push body) and /proc reads. "
      "*One connection* is the p50 of a bare connect, `SELECT 1` and close (fork, authentication and "
      "backend start-up on the server); *connecting alone* is the connections a cycle opens (p50) times "
      f"that price over the {CORES} cores: the part of the cycle no client can avoid while the cluster "
      "has more databases than pool_max_size. S3k is S3 with pool_max_size 110, so every database keeps "
      "its connection between cycles.")
print("\n## Targets (issue 8)\n")
print("| target | measured | |")
print("|---|---|---|")
for t, m, ok in targets:
    print(f"| {t} | {m} | {mark(ok)} |")
print("\n## postgres_exporter on the same clusters\n")
print("Debian's `prometheus-postgres-exporter` with its default metrics (pg_stat_activity, pg_locks, "
      "pg_stat_replication and slots, pg_stat_bgwriter, pg_settings, pg_stat_database), scraped over loopback, "
      "against cycles of our types for the same cluster-wide families: " +
      ", ".join((runs['S1'].get('postgres_exporter') or {}).get('ours_types', [])) + ". pg_stat_database has "
      "no counterpart of the same scope (pg_cache and pg_stats read every table of every database), so the "
      "exporter's scrape does a little more work than our cycle here.\n")
print("| scenario | exporter scrape p50 / p95 ms | exporter CPU ms/scrape | exporter peak RSS MiB | series | "
      "ours p50 / p95 ms | ours CPU ms/cycle | ours peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|")
for name, r in runs.items():
    p = r.get("postgres_exporter")
    if not p:
        continue
    print(f"| {name} | {p['scrape_ms']['p50']:.1f} / {p['scrape_ms']['p95']:.1f} | {p['cpu_ms_per_scrape']:.1f} | "
          f"{p['peak_rss_bytes'] / MIB:.1f} | {p['series']} | {p['ours_wall_ms']['p50']:.1f} / "
          f"{p['ours_wall_ms']['p95']:.1f} | {p['ours_cpu_ms_p50']:.1f} | {p['ours_peak_rss_bytes'] / MIB:.1f} |")
for name in ("S3", "S3k"):
    if name not in runs:
        continue
    print(f"\n## Where the time goes ({name}, per metric type, p50 of the longest run)\n")
    print("| type | runs | p50 ms | p95 ms | CPU ms | rows | bytes |")
    print("|---|---|---|---|---|---|---|")
    for t, c in sorted(runs[name]["collectors"].items(), key=lambda kv: -kv[1]["wall_ms"]["p50"]):
        print(f"| {t} | {c['runs']} | {c['wall_ms']['p50']:.1f} | {c['wall_ms']['p95']:.1f} | "
              f"{c['cpu_ms']['p50']:.1f} | {c['rows']} | {c['bytes']} |")
print("\nCharts: `S1.svg`, `S2.svg`, `S3.svg` in the output directory (`--chart`); S3k has none.")
print(WHY)
print(HISTORY)
