#!/usr/bin/env bash
# Runs every test suite against the build in $1 and prints one closing summary line.
set -uo pipefail

build=${1:-build}
build=$(cd "$build" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
failed=0
passed=0

run() {
    local name=$1
    shift
    echo "=== $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        echo "*** $name FAILED"
        failed=$((failed + 1))
    fi
}

run "unit tests" "$build/tests/pga_unit_tests" --gtest_brief=1
run "integration tests" "$build/tests/pga_integration_tests" --gtest_brief=1
run "bats" env PGA_BUILD_DIR="$build" bats --print-output-on-failure -r "$root/bats" "$root/tests/backend"
echo "test suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
