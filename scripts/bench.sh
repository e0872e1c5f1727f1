#!/usr/bin/env bash
# make bench: the performance benchmark of issue 8, unattended, on throwaway clusters built by
# `pga-bench --scale` (no running PostgreSQL needed; as root the server runs as `postgres`).
#   S1  1 database, 100 statements in pg_stat_statements
#   S2  10 databases, 10,000 statements
#   S3  100 databases with 20 tables each, 5,000 statements
#   S3k S3 with pool_max_size 110: no connection opened per cycle (what S3 costs without connecting)
# each with all default metric types, the floor (--floor: the same SQL by a bare libpq client with
# the same threads) and Debian's prometheus-postgres-exporter on the same cluster; then 1,000
# cycles of S1 for RSS flatness. JSON and SVG go to $PGA_BENCH_OUT (default BUILD/bench); the
# summary is written to docs/benchmarks.md by scripts/bench_report.py.
#
# Environment: PGA_BENCH_CYCLES (measured cycles per scenario, default 30), PGA_BENCH_SOAK_CYCLES
# (default 1000), PGA_BENCH_OUT, PGA_BENCH_DOC (default docs/benchmarks.md).
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
out=${PGA_BENCH_OUT:-$build/bench}
cycles=${PGA_BENCH_CYCLES:-30}
soak=${PGA_BENCH_SOAK_CYCLES:-1000}
doc=${PGA_BENCH_DOC:-$root/docs/benchmarks.md}
exporter=/usr/bin/prometheus-postgres-exporter
bench="$build/tools/pga-bench"

"$root/scripts/install-deps.sh" prometheus-postgres-exporter postgresql-15 python3
mkdir -p "$out"

scenario() {
    local name=$1
    shift
    echo "=== $name: pga-bench $*"
    local start=$SECONDS
    "$bench" "$@" -n "$cycles" --floor --compare-exporter "$exporter" --json --chart "$out/$name.svg" \
        >"$out/$name.json"
    echo "    done in $((SECONDS - start)) s"
}

scenario S1 --scale 1 --tables 20 --statements 100
scenario S2 --scale 10 --tables 20 --statements 10000
scenario S3 --scale 100 --tables 20 --statements 5000
echo "=== S3k: S3 with pool_max_size 110, every database's connection kept between cycles"
start=$SECONDS
"$bench" --scale 100 --tables 20 --statements 5000 --pool-max 110 -n "$cycles" --floor --json >"$out/S3k.json"
echo "    done in $((SECONDS - start)) s"
echo "=== RSS over $soak cycles (S1)"
"$bench" --scale 1 --tables 20 --statements 100 -n "$soak" --warmup 0 --json >"$out/soak.json"
python3 "$root/scripts/bench_report.py" "$out" >"$doc.tmp"
mv "$doc.tmp" "$doc"
echo "wrote $doc"
