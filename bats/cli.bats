#!/usr/bin/env bats
# Command-line contract of all five tools: --version, --help, usage errors, and
# `pganalytics --validate-config` output and exit codes for good and bad files.

load helpers/common

TOOLS=(pganalytics pga-validate pga-healthcheck pga-diag pga-bench)

@test "every tool prints its name, 3.3.0 and the libpq version with --version" {
    for tool in "${TOOLS[@]}"; do
        run "$PGA_BIN/$tool" --version
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^$tool\ 3\.3\.0\ \(built\ with\ libpq\ [0-9]+\.[0-9]+\)$ ]]
    done
}

@test "every tool answers --help with its usage and -c option" {
    for tool in "${TOOLS[@]}"; do
        run "$PGA_BIN/$tool" --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"-c,--config"* ]]
    done
}

@test "pganalytics --help lists the cron and register subcommands" {
    run "$PGA_BIN/pganalytics" --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"cron"* ]]
    [[ "$output" == *"register"* ]]
    [[ "$output" == *"--validate-config"* ]]
}

@test "an unknown option is a usage error with exit code 2" {
    for tool in "${TOOLS[@]}"; do
        run "$PGA_BIN/$tool" --no-such-option
        [ "$status" -eq 2 ]
    done
}

@test "--validate-config prints the guide's lines for a good file and exits 0" {
    cfg=$(write_config good.toml '[collector]
id = "collector-001"
[backend]
url = "https://backend:8080"
[postgresql]
databases = "app, billing"
pool_max_size = 15
[collector_threading]
thread_pool_size = 8')
    run "$PGA_BIN/pganalytics" --validate-config -c "$cfg"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Configuration loaded successfully" ]
    [ "${lines[1]}" = "Collector ID: collector-001" ]
    [ "${lines[2]}" = "Backend URL: https://backend:8080" ]
    [[ "$output" == *"Databases: app, billing"* ]]
    [[ "$output" == *"Connection pool: min 2, max 15, idle timeout 300s"* ]]
    [[ "$output" == *"Thread pool: 8 threads"* ]]
    [[ "$output" == *"Enabled metric types: "*"pg_query_stats (60s)"* ]]
}

@test "--validate-config finds the file through PGANALYTICS_CONFIG" {
    cfg=$(write_config env.toml '[collector]
id = "from-env"')
    PGANALYTICS_CONFIG="$cfg" run "$PGA_BIN/pganalytics" --validate-config
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "Collector ID: from-env" ]
}

@test "--validate-config reports every error with file:line:column and exits 78" {
    cfg=$(write_config bad.toml '[postgresql]
query_stats_limit = 20000
pool_min_size = "two"
[collector]
interval = 0')
    run "$PGA_BIN/pganalytics" --validate-config -c "$cfg"
    [ "$status" -eq 78 ]
    [[ "$output" == *"$cfg:2:21: postgresql.query_stats_limit must be between 10 and 10000, got 20000"* ]]
    [[ "$output" == *"$cfg:3:17: postgresql.pool_min_size must be an integer, got a string"* ]]
    [[ "$output" == *"$cfg:5:12: collector.interval must be between 1 and 86400, got 0"* ]]
    [[ "$output" != *"Configuration loaded successfully"* ]]
}

@test "--validate-config warns about an unknown key with a suggestion but succeeds" {
    cfg=$(write_config typo.toml '[postgresql]
pool_max_sise = 5')
    run "$PGA_BIN/pganalytics" --validate-config -c "$cfg"
    [ "$status" -eq 0 ]
    [[ "$output" == *"warning: unknown key postgresql.pool_max_sise; did you mean pool_max_size?"* ]]
}

@test "--validate-config on a missing file names it and exits 78" {
    run "$PGA_BIN/pganalytics" --validate-config -c /nonexistent/collector.toml
    [ "$status" -eq 78 ]
    [[ "$output" == *"/nonexistent/collector.toml: cannot read configuration file: No such file or directory"* ]]
}

@test "a readable config with an inline password is refused with the chmod to run, and no secret is printed" {
    cfg=$(write_config open.toml '[postgresql]
password = "canary-4c1d-pw"' 644)
    run "$PGA_BIN/pganalytics" --validate-config -c "$cfg"
    [ "$status" -eq 78 ]
    [[ "$output" == *"hint: run: chmod 600 $cfg"* ]]
    [[ "$output" != *"canary-4c1d-pw"* ]]
    chmod 600 "$cfg"
    run "$PGA_BIN/pganalytics" --validate-config -c "$cfg"
    [ "$status" -eq 0 ]
    [[ "$output" == *"password <redacted, from postgresql.password in $cfg>"* ]]
    [[ "$output" != *"canary-4c1d-pw"* ]]
}

@test "the committed sample config validates" {
    run "$PGA_BIN/pganalytics" --validate-config -c "$PGA_SRC/collector.toml.sample"
    [ "$status" -eq 0 ]
    run diff <("$PGA_BIN/pganalytics" --print-sample-config) "$PGA_SRC/collector.toml.sample"
    [ "$status" -eq 0 ]
}
