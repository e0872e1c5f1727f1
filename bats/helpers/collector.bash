# collector.bash - pieces shared by the Bats tests that run `pganalytics cron` against the test
# PostgreSQL (helpers/pg.bash) and the test backend (helpers/backend.bash).
#
#   postgresql_toml [PASSWORD_FILE]   the [postgresql] section for the test server as pga_monitor
#                                     over TCP (PASSWORD_FILE default: the monitor role's)
#   wait_until SECONDS COMMAND...     retries COMMAND every 0.2 s until it succeeds; fails (naming
#                                     the command) when the time is up

postgresql_toml() {
    printf '%s\n' "[postgresql]
host = \"127.0.0.1\"
port = $PGA_PG_PORT
user = \"pga_monitor\"
password_file = \"${1:-$PGA_PG_MONITOR_PASSWORD_FILE}\"
sslmode = \"disable\""
}

wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "timed out after waiting for: $*" >&2; return 1; }
        sleep 0.2
    done
}
