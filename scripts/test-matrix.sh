#!/usr/bin/env bash
# Runs the integration suite against every supported PostgreSQL major (13 to 18, or the list in
# PGA_TEST_PG_VERSIONS) and prints one line per version: passed, failed, or skipped (the suite exits
# 77 when that major's binaries cannot be obtained; skipped is never counted as passed). Exits 1 when
# any version failed. Logs go to BUILD/test-matrix/pgN.log.
set -u

build=${1:-build}
bin=$build/tests/pga_integration_tests
versions=${PGA_TEST_PG_VERSIONS:-13 14 15 16 17 18}
[[ -x $bin ]] || { echo "test-matrix: $bin not built" >&2; exit 2; }
mkdir -p "$build/test-matrix"

failed=0
for v in $versions; do
    log=$build/test-matrix/pg$v.log
    start=$SECONDS
    PGA_TEST_PG_VERSION=$v "$bin" >"$log" 2>&1
    rc=$?
    case $rc in
    0) result=passed ;;
    77) result="skipped ($(grep -m1 -o 'skipped: .*' "$log" || echo 'binaries unavailable'))" ;;
    *) result="failed (exit $rc)"; failed=1 ;;
    esac
    printf 'PostgreSQL %-3s %s  [%ss, %s]\n' "$v" "$result" "$((SECONDS - start))" "$log"
done
exit "$failed"
