#!/usr/bin/env bash
# Runs the fault suite (tests/faults/*.bats) against the build in $1 and prints the ledger of
# every scenario (created, accepted, counted drops, backlog, duplicates, lost). The table is also
# written to $PGA_FAULTS_OUT (default <build>/faults/ledger.md). PGA_FAULTS_KILLS sets the number
# of kill -9 rounds (100).
set -uo pipefail

build=${1:-build}
build=$(cd "$build" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
out=${PGA_FAULTS_OUT:-$build/faults/ledger.md}
mkdir -p "$(dirname "$out")"
ledger=$(mktemp)
trap 'rm -f "$ledger"' EXIT

start=$SECONDS
PGA_BUILD_DIR="$build" PGA_FAULTS_LEDGER="$ledger" bats -T --print-output-on-failure "$root/tests/faults"
rc=$?

{
    echo "| scenario | created | accepted | counted drops | backlog | duplicates | lost |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7}' "$ledger"
    awk -F'\t' '{n++; lost += $7} END {printf "\n%d scenarios with a ledger, lost in all: %d\n", n, lost}' "$ledger"
} >"$out"
echo
echo "=== fault suite ledger ($((SECONDS - start)) s, also in $out)"
cat "$out"
exit "$rc"
