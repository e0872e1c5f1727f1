#!/usr/bin/env bats
# pga-bench: a throwaway cluster with --scale (a small workload), a configured server with -c, the
# JSON and SVG outputs, --check against targets and the usage and connection errors.

bats_require_minimum_version 1.5.0

load helpers/common
load helpers/tools
load helpers/backend

setup_file() { tools_pg_start; }
teardown_file() { tools_pg_stop; }
teardown() { backend_stop; }

json_field() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$2"; }

@test "pga-bench --scale 10 builds a cluster, measures real cycles and removes the cluster" {
    run --separate-stderr "$PGA_BIN/pga-bench" --scale 10 --tables 4 --rows 200 --statements 300 -n 3 \
        --floor --json --chart "$BATS_TEST_TMPDIR/cycles.svg"
    [ "$status" -eq 0 ]
    echo "$output" >"$BATS_TEST_TMPDIR/r.json"
    j="$BATS_TEST_TMPDIR/r.json"
    [ "$(json_field 'd["databases"]' "$j")" = 10 ]
    [ "$(json_field 'd["scale"]["statements_tracked"] >= 300' "$j")" = True ]
    [ "$(json_field 'd["cycle"]["wall_ms"]["count"]' "$j")" = 3 ]
    [ "$(json_field 'len(d["cycles"])' "$j")" = 4 ] # one warm-up
    [ "$(json_field 'd["cycle"]["wall_ms"]["min"] > 0 and d["cycle"]["cpu_ms"]["p50"] > 0' "$j")" = True ]
    [ "$(json_field 'd["cycle"]["payload_gzip_bytes"]["p50"] < d["cycle"]["payload_bytes"]["p50"]' "$j")" = True ]
    [ "$(json_field 'd["peak_connections"] <= d["pool_max_size"]' "$j")" = True ]
    [ "$(json_field 'd["peak_rss_bytes"] > 1000000' "$j")" = True ]
    # Every per-database type ran once per database, and nothing failed on the pg_monitor role.
    [ "$(json_field 'd["collectors"]["pg_stats"]["runs"]' "$j")" = 10 ]
    [ "$(json_field 'd["collectors"]["pg_stats"]["rows"] >= 40' "$j")" = True ] # 4 tables x 10 databases
    [ "$(json_field '[t for t,c in d["collectors"].items() if c["status"] == "error"]' "$j")" = "[]" ]
    # pg_query_stats saw the workload (100 per database limit by default).
    [ "$(json_field 'd["collectors"]["pg_query_stats"]["rows"] >= 100' "$j")" = True ]
    [ "$(json_field '{t["name"] for t in d["targets"]} >= {"cycle p95", "peak RSS", "pool reuse"}' "$j")" = True ]
    [ "$(json_field 'd["server_exec_ms_per_cycle"] > 0' "$j")" = True ]
    # The floor replayed the last cycle's SQL on every database (and postgres, for the cluster-wide types).
    [ "$(json_field 'd["floor"]["queries"] > 50 and d["floor"]["databases"] == 11' "$j")" = True ]
    [ "$(json_field 'd["overhead_vs_floor"] > 0' "$j")" = True ]
    head -c 4 "$BATS_TEST_TMPDIR/cycles.svg" | grep -q '<svg'
    [ "$(grep -c '<rect x=' "$BATS_TEST_TMPDIR/cycles.svg")" -eq 20 ]
    grep -q 'p95 ' "$BATS_TEST_TMPDIR/cycles.svg"
    dir=$(grep -o '/[^ ]*pga-bench-[A-Za-z0-9]*' <<<"$stderr" | head -1)
    [ -n "$dir" ]
    [ ! -e "$dir" ]
}

@test "pga-bench -c measures the configured server; --types restricts the metric types" {
    cfg=$(tools_config bench.toml)
    run "$PGA_BIN/pga-bench" -c "$cfg" -n 2 --types pg_stats,pg_cache
    [ "$status" -eq 0 ]
    [[ "$output" == *"2 cycles (+1 warm-up) on PostgreSQL"* ]]
    [[ "$output" == *"wall time (ms)"* ]]
    [[ "$output" == *"pg_stats "* ]]
    [[ "$output" == *"pg_cache "* ]]
    [[ "$output" != *"pg_query_stats"* ]]
    [[ "$output" == *"pool reuse >= 80 %"* ]]
    [ ! -e "$BATS_TEST_TMPDIR/state/pg_log.position" ] # never the running collector's state
}

@test "--check exits 1 when a target is missed and marks it" {
    cfg=$(tools_config bench.toml)
    run "$PGA_BIN/pga-bench" -c "$cfg" -n 1 --warmup 0 --types sysstat --check --target-p50-ms 0.0001
    [ "$status" -eq 1 ]
    [[ "$output" == *"MISS  cycle p50 <= 0 ms"*"(option)"* ]]
    run "$PGA_BIN/pga-bench" -c "$cfg" -n 1 --warmup 0 --types sysstat --check --target-p50-ms 60000
    [ "$status" -eq 0 ]
}

@test "an unreachable server is exit 1 naming host and port; bad arguments are usage errors" {
    cfg=$(tools_config bench.toml)
    sed -i 's|^port = .*|port = 1|' "$cfg"
    run "$PGA_BIN/pga-bench" -c "$cfg" -n 1
    [ "$status" -eq 1 ]
    [[ "$output" == *"pga-bench: cannot connect to host"*"port 1"* ]]
    run "$PGA_BIN/pga-bench" -c "$cfg" --types no_such_type
    [ "$status" -eq 2 ]
    [[ "$output" == *'unknown metric type "no_such_type"'* ]]
    run "$PGA_BIN/pga-bench" --scale 0
    [ "$status" -eq 2 ]
    run "$PGA_BIN/pga-bench" -n 0
    [ "$status" -eq 2 ]
}

@test "--scale: a failing initdb is named with its log, and the cluster directory is removed" {
    # Outside the Bats temp dir: as root the server programs run as postgres, who must reach them.
    base=$(mktemp -d /tmp/pga-bench-test.XXXXXX)
    chmod 755 "$base"
    mkdir -p "$base/bin" "$base/tmp"
    chmod 1777 "$base/tmp"
    printf '#!/bin/sh\necho "initdb: could not create directory: No space left on device" >&2\nexit 1\n' \
        >"$base/bin/initdb"
    chmod 755 "$base/bin/initdb"
    TMPDIR="$base/tmp" run "$PGA_BIN/pga-bench" --scale 1 --pg-bin "$base/bin" -n 1
    left=$(ls -A "$base/tmp")
    rm -rf "$base"
    [ "$status" -eq 1 ]
    [[ "$output" == *"throwaway cluster: initdb failed"*"No space left on device"* ]]
    [ -z "$left" ] # neither the cluster nor the private state directory is left behind
    run "$PGA_BIN/pga-bench" --scale 1 --pg-bin /nonexistent -n 1
    [ "$status" -eq 1 ]
    [[ "$output" == *"--pg-bin /nonexistent: no initdb there"* ]]
}

@test "--push delivers every batch to the backend through a private spool" {
    backend_start --static-token bench-token --static-collector-id 00000000-0000-4000-8000-000000000001
    printf 'bench-token\n' >"$BATS_TEST_TMPDIR/token"
    chmod 600 "$BATS_TEST_TMPDIR/token"
    cfg=$(tools_config push.toml "[backend]
url = \"$BACKEND_URL\"
token_file = \"$BATS_TEST_TMPDIR/token\"")
    run --separate-stderr "$PGA_BIN/pga-bench" -c "$cfg" -n 3 --warmup 0 --types sysstat,pg_settings --push --json
    [ "$status" -eq 0 ]
    echo "$output" >"$BATS_TEST_TMPDIR/r.json"
    [ "$(json_field 'd["delivery"]["spool"]["accepted"]' "$BATS_TEST_TMPDIR/r.json")" = 3 ]
    [ "$(json_field 'd["delivery"]["spool"]["batches"]' "$BATS_TEST_TMPDIR/r.json")" = 0 ]
    ledger=$(backend_control GET /_test/ledger)
    [ "$(json_get "$ledger" 'len(d["accepted"])')" = 3 ]
    [ -z "$(ls -A "$BATS_TEST_TMPDIR/state")" ] # the configured state_dir is left alone
}
