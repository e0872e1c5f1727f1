#!/usr/bin/env bats
# The README's exit-code table, row by row where no other Bats file pins it: an invalid
# configuration and a missing command in every tool. (Results: validate.bats, healthcheck*.bats,
# diag.bats; unknown options: cli.bats.)

load helpers/common

setup() {
    BAD=$(write_config bad.toml "[collector]
state_dir = \"$BATS_TEST_TMPDIR/state\"
log_file = \"$BATS_TEST_TMPDIR/collector.log\"
[postgresql]
pool_max_size = 0")
}

@test "pganalytics: an invalid configuration is 78 for --validate-config, cron and register" {
    run "$PGA_BIN/pganalytics" --validate-config -c "$BAD"
    [ "$status" -eq 78 ]
    run "$PGA_BIN/pganalytics" -c "$BAD" cron --once
    [ "$status" -eq 78 ]
    run "$PGA_BIN/pganalytics" -c "$BAD" register
    [ "$status" -eq 78 ]
    [[ "$output" == *"pool_max_size"* ]]
}

@test "pganalytics without a command prints its usage and exits 2" {
    run "$PGA_BIN/pganalytics"
    [ "$status" -eq 2 ]
    [[ "$output" == *"cron"* ]]
}

@test "pga-validate: an invalid configuration is an error check, exit 2" {
    run "$PGA_BIN/pga-validate" -c "$BAD" --only config
    [ "$status" -eq 2 ]
    [[ "$output" == *"error   "*"pool_max_size"* ]]
    run "$PGA_BIN/pga-validate" -c "$BATS_TEST_TMPDIR/missing.toml" --only config
    [ "$status" -eq 2 ]
}

@test "pga-healthcheck: an invalid configuration is UNKNOWN, exit 3" {
    run "$PGA_BIN/pga-healthcheck" -c "$BAD"
    [ "$status" -eq 3 ]
    [[ "$output" == "UNKNOWN - configuration is invalid"* ]]
}

@test "pga-healthcheck: a running collector without a readable status file is UNKNOWN, exit 3" {
    CFG=$(write_config ok.toml "[collector]
state_dir = \"$BATS_TEST_TMPDIR/state\"
log_file = \"$BATS_TEST_TMPDIR/collector.log\"")
    mkdir -p "$BATS_TEST_TMPDIR/state"
    # one process that holds the lock the loop's way and writes its pid into it
    python3 -c 'import fcntl, os, sys, time
f = open(sys.argv[1], "w"); fcntl.flock(f, fcntl.LOCK_EX); f.write(str(os.getpid())); f.flush(); time.sleep(60)' \
        "$BATS_TEST_TMPDIR/state/pganalytics.lock" 3>&- &
    holder=$!
    for _ in $(seq 1 100); do [ -s "$BATS_TEST_TMPDIR/state/pganalytics.lock" ] && break; sleep 0.05; done
    run "$PGA_BIN/pga-healthcheck" -c "$CFG"
    kill "$holder"
    wait "$holder" 2>/dev/null || true
    [ "$status" -eq 3 ]
    [[ "$output" == "UNKNOWN - "*"cannot read the status file"* ]]
}

@test "pga-diag: an invalid configuration is 78 and writes nothing" {
    mkdir "$BATS_TEST_TMPDIR/out"
    run "$PGA_BIN/pga-diag" -c "$BAD" --output "$BATS_TEST_TMPDIR/out"
    [ "$status" -eq 78 ]
    [ -z "$(ls -A "$BATS_TEST_TMPDIR/out")" ]
}
