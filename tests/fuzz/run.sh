#!/usr/bin/env bash
# Runs libFuzzer targets for a fixed time each: run.sh BUILD_DIR WORK_DIR SECONDS TARGET...
# Each target reads its seed corpus tests/fuzz/corpus/<target>/ (never written to) and grows a
# scratch corpus in WORK_DIR/<target>/corpus; crash, timeout and OOM inputs go to
# WORK_DIR/<target>/artifacts/. Prints one line per target (executions, crashes, crash file) and
# exits 1 when any target found a crash, 2 on a usage or build problem.
set -uo pipefail

if [ "$#" -lt 4 ]; then
    echo "usage: run.sh BUILD_DIR WORK_DIR SECONDS TARGET..." >&2
    exit 2
fi
build=$1 work=$2 seconds=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)

failed=0
summary=()
for target in "$@"; do
    bin=$build/tests/fuzz/$target
    if [ ! -x "$bin" ]; then
        echo "run.sh: $bin: not built (configure with -DPGA_FUZZ=ON)" >&2
        exit 2
    fi
    dir=$work/$target
    rm -rf "$dir/artifacts"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    log=$dir/last-run.log
    echo "== $target: ${seconds}s (log: $log)"
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/" "$dir/corpus" "$here/corpus/$target" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ -z "$execs" ]; then
        # A crash ends the run before the final stats: take the last progress line.
        execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
    fi
    crashes=$(find "$dir/artifacts" -type f | wc -l)
    line="$target: ${execs:-0} executions, $crashes crashes"
    if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        failed=1
        tail -n 40 "$log"
        for f in "$dir/artifacts"/*; do
            [ -e "$f" ] && line="$line; crash file: $f"
        done
        line="$line (exit $rc)"
    fi
    echo "$line"
    summary+=("$line")
done

echo "== fuzz summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}"
exit "$failed"
