#!/usr/bin/env bats
# scripts/soak.sh (make soak): a short real run (60 one-second cycles, backend flaps, one
# PostgreSQL restart) passes and writes its samples, ledger and summary; the verdict fails on a
# growing fd count, growing RSS, more threads, more connections or a lost batch; usage errors.

load helpers/common

setup() {
    [ -x "$PGA_BIN/pganalytics" ] || skip "pganalytics not built"
    SOAK="$PGA_SRC/scripts/soak.sh"
    T=$BATS_TEST_TMPDIR
}

# samples FILE ROWS RSS_STEP FD_EVERY: a synthetic samples.csv of ROWS samples, one cycle a
# second, RSS growing RSS_STEP KiB per sample and one more fd every FD_EVERY samples (0: never).
samples() {
    python3 - "$@" <<'EOF'
import sys
path, rows, rss_step, fd_every = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(path, "w") as f:
    f.write("elapsed_s,cycles,rss_kib,fds,threads,pg_conns,metrics_bytes,fault\n")
    for i in range(rows):
        fds = 18 + (i // fd_every if fd_every else 0)
        f.write(f"{i*5},{i*5},{22000 + i*rss_step},{fds},10,4,80000,none\n")
EOF
}

# ledger FILE LOST: a ledger.txt of a 600-cycle run with LOST batches missing.
ledger() {
    cat >"$1" <<EOF
target_cycles=600
cycles=600
duration_s=602
pid=4242
exit_code=0
flaps=30
flap_kinds=refuse
pg_restarts=2
created=600
accepted=$((600 - $2))
dropped=0
backlog=0
accepted_unique=$((600 - $2))
duplicates=0
requests_total=700
lost=$2
EOF
}

@test "a short soak (60 cycles, flaps, a PostgreSQL restart) passes and writes samples, ledger and summary" {
    [ -x /usr/lib/postgresql/15/bin/postgres ] || skip "PostgreSQL 15 not installed"
    SOAK_CYCLES=60 SOAK_SAMPLE_S=2 SOAK_FLAP_EVERY_S=8 SOAK_FLAP_LEN_S=3 SOAK_PG_RESTARTS=1 SOAK_OUT="$T/out" \
        run "$SOAK" "$PGA_BUILD_DIR"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"# Soak: PASS"* ]]
    grep -q '^# Soak: PASS' "$T/out/summary.md"
    [ "$(head -1 "$T/out/samples.csv")" = "elapsed_s,cycles,rss_kib,fds,threads,pg_conns,metrics_bytes,fault" ]
    [ "$(($(wc -l <"$T/out/samples.csv") - 1))" -ge 20 ]
    grep -qx 'lost=0' "$T/out/ledger.txt"
    grep -qx 'pg_restarts=1' "$T/out/ledger.txt"
    grep -qx 'exit_code=0' "$T/out/ledger.txt"
    cycles=$(sed -n 's/^cycles=//p' "$T/out/ledger.txt")
    [ "$cycles" -ge 60 ]
    created=$(sed -n 's/^created=//p' "$T/out/ledger.txt")
    [ "$created" -ge 55 ]
    flaps=$(sed -n 's/^flaps=//p' "$T/out/ledger.txt")
    [ "$flaps" -ge 5 ]
    # the flaps reached the collector: pushes failed and were retried
    failures=$(($(sed -n 's/^push_retries=//p' "$T/out/ledger.txt") + $(sed -n 's/^push_transport_errors=//p' "$T/out/ledger.txt")))
    [ "$failures" -ge 3 ]
    # every sample measured a live process
    awk -F, 'NR > 1 && ($3 == "NA" || $4 < 5 || $5 < 2) { bad = 1 } END { exit bad }' "$T/out/samples.csv"
    # nothing left behind: the collector is gone and its throwaway cluster stopped
    pid=$(sed -n 's/^pid=//p' "$T/out/ledger.txt")
    ! kill -0 "$pid" 2>/dev/null
}

@test "the verdict passes flat samples and fails growing fds, RSS, threads, connections or a lost batch" {
    mkdir -p "$T/flat" "$T/fds" "$T/rss" "$T/lost" "$T/threads" "$T/conns"
    samples "$T/flat/samples.csv" 120 0 0
    ledger "$T/flat/ledger.txt" 0
    run "$SOAK" --analyze "$T/flat"
    [ "$status" -eq 0 ]
    [[ "$output" == *"# Soak: PASS"* ]]
    [[ "$output" == *"| open fds | 18 | 18 | 18 | 18 | 18 | 18 |"* ]]

    samples "$T/fds/samples.csv" 120 0 40 # one fd more every 200 s
    ledger "$T/fds/ledger.txt" 0
    run "$SOAK" --analyze "$T/fds"
    [ "$status" -eq 1 ]
    [[ "$output" == *"# Soak: FAIL"* ]]
    [[ "$output" == *"| open fds flat | FAIL | last quarter median 20, max 20; first quarter median 18, max 18 |"* ]]
    [[ "$output" == *"| RSS growth | ok |"* ]]

    samples "$T/rss/samples.csv" 120 40 0 # 40 KiB per sample: 81 samples, 3240 KiB, between the quarter medians
    ledger "$T/rss/ledger.txt" 0
    run "$SOAK" --analyze "$T/rss"
    [ "$status" -eq 1 ]
    [[ "$output" == *"| RSS growth | FAIL | median of the last quarter - median of the first quarter = +3240 KiB (bound 2048 KiB) |"* ]]
    SOAK_RSS_BOUND_KIB=4096 run "$SOAK" --analyze "$T/rss"
    [ "$status" -eq 0 ]

    # an fd in flight at one late sample is not growth
    samples "$T/flat/samples.csv" 120 0 0
    sed -i '$ s/,18,10,4,/,19,10,4,/' "$T/flat/samples.csv"
    run "$SOAK" --analyze "$T/flat"
    [ "$status" -eq 0 ]
    [[ "$output" == *"| open fds flat | ok | last quarter median 18, max 19; first quarter median 18, max 18 |"* ]]

    samples "$T/threads/samples.csv" 120 0 0
    sed -i '100,$ s/,10,4,/,11,4,/' "$T/threads/samples.csv" # one thread more for the last 21 samples
    ledger "$T/threads/ledger.txt" 0
    run "$SOAK" --analyze "$T/threads"
    [ "$status" -eq 1 ]
    [[ "$output" == *"| threads flat | FAIL |"* ]]

    samples "$T/conns/samples.csv" 120 0 0
    sed -i '$ s/,10,4,/,10,7,/' "$T/conns/samples.csv" # three more at once: beyond the in-flight allowance
    ledger "$T/conns/ledger.txt" 0
    run "$SOAK" --analyze "$T/conns"
    [ "$status" -eq 1 ]
    [[ "$output" == *"| PostgreSQL connections flat | FAIL |"* ]]

    samples "$T/lost/samples.csv" 120 0 0
    ledger "$T/lost/ledger.txt" 1
    run "$SOAK" --analyze "$T/lost"
    [ "$status" -eq 1 ]
    [[ "$output" == *"| ledger | FAIL | lost = created 600 - accepted 599 - dropped 0 - still spooled 0 = 1 |"* ]]
    grep -q '^# Soak: FAIL' "$T/lost/summary.md"
}

@test "usage errors and bad knobs exit 2 without starting anything" {
    run "$SOAK" --bogus
    [ "$status" -eq 2 ]
    [[ "$output" == *"usage: scripts/soak.sh"* ]]
    run "$SOAK" --analyze "$T/nothing-here"
    [ "$status" -eq 2 ]
    [[ "$output" == *"has no samples.csv or ledger.txt"* ]]
    SOAK_CYCLES=abc SOAK_OUT="$T/o" run "$SOAK" "$PGA_BUILD_DIR"
    [ "$status" -eq 2 ]
    [[ "$output" == *"SOAK_* values must be whole numbers, got 'abc'"* ]]
    SOAK_CYCLES=60 SOAK_FLAP_EVERY_S=3 SOAK_FLAP_LEN_S=5 SOAK_OUT="$T/o" run "$SOAK" "$PGA_BUILD_DIR"
    [ "$status" -eq 2 ]
}
