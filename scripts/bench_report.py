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

- **S3 cycle time (p50 < 1 s) and CPU.** The cycle is bound by the SQL itself: the floor (the same
  SQL, bare client, same threads and connections) takes as long as our cycle, and PostgreSQL reports
  about as much execution time for the role as the cycle lasts. 100 databases × the per-database
  types (pg_stats ≈ 260 ms, pg_bloat ≈ 190 ms per database, the first of each database's runs also
  paying the connection) over 4 workers is most of it. Meeting 1 s needs cheaper per-database SQL
  (one catalog pass per database for pg_stats, pg_cache and pg_schema; bloat estimated on a longer
  interval, as pg_bloat (1800 s), pg_schema and pg_extensions (3600 s) are by default but run every
  cycle here), not a faster
  client. The CPU per cycle is mostly building and serializing 9 MB of JSON.
- **S3 peak RSS (< 32 MB).** A cycle's batch (9 MB of JSON, half of it pg_query_stats' query texts)
  is held as a JSON document tree (several times its text size) and then serialized. Streaming each
  run's objects straight into the push body, and capping query text per statement, are the fixes.
- **S2 pool reuse (> 95%).** Ten monitored databases plus the maintenance database `postgres` are 11
  databases for 10 connections, so a few connections are reopened every cycle (6 at most).
- **RSS over 1,000 cycles.** RSS still rose by about 1.6 MiB between cycle 100 and 1000 in S1; a
  longer soak (issue 9) has to show whether it levels off (allocator fragmentation) or grows.
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
print("\n## Where the time goes (S3, per metric type, p50 of the longest run)\n")
print("| type | runs | p50 ms | p95 ms | CPU ms | rows | bytes |")
print("|---|---|---|---|---|---|---|")
for t, c in sorted(runs["S3"]["collectors"].items(), key=lambda kv: -kv[1]["wall_ms"]["p50"]):
    print(f"| {t} | {c['runs']} | {c['wall_ms']['p50']:.1f} | {c['wall_ms']['p95']:.1f} | {c['cpu_ms']['p50']:.1f} | "
          f"{c['rows']} | {c['bytes']} |")
print("\nCharts: `S1.svg`, `S2.svg`, `S3.svg` in the output directory (`--chart`).")
print(WHY)
print(HISTORY)
