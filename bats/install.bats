#!/usr/bin/env bats
# install.sh in a temporary root (DESTDIR): install, idempotent re-run, upgrade (backup, config kept,
# collector.toml.new, new options listed), validation failure, rollback, list-backups, dry-run and
# uninstall. A "previous version" is the same build installed with --version-override 3.2.0.

load helpers/common

# Stripped copies of the built tools keep the many installs and backups of this file fast.
setup_file() {
    mkdir -p "$BATS_FILE_TMPDIR/build/tools"
    for tool in pganalytics pga-validate pga-healthcheck pga-diag pga-bench; do
        strip -o "$BATS_FILE_TMPDIR/build/tools/$tool" "$PGA_BIN/$tool"
    done
}

setup() {
    BUILT="$BATS_FILE_TMPDIR/build"
    ROOT="$BATS_TEST_TMPDIR/root"
    BIN="$ROOT/opt/pganalytics/bin"
    ETC="$ROOT/etc/pganalytics"
    BACKUPS="$ROOT/var/backups/pganalytics"
    TOOLS=(pganalytics pga-validate pga-healthcheck pga-diag pga-bench)
}

# inst ARGS...: install.sh into the temp root with the build under test.
inst() {
    # No PostgreSQL or backend in these tests: validate the config section only.
    DESTDIR="$ROOT" "$PGA_SRC/install.sh" --from-build "$BUILT" --validate-only config "$@"
}

# A config in the 3.2.0 style (no pool or threading keys), valid for 3.3.0.
old_config() {
    cat <<'EOF'
[collector]
id = "collector-001"
[backend]
url = "https://backend:8080"
[postgresql]
databases = "app"
EOF
}

# snapshot: every path under the root with its mode, link target and checksum.
snapshot() {
    (cd "$ROOT" && find . -printf '%p %m %l\n' | sort && find . -type f -exec md5sum {} + | sort -k2)
}

@test "install lays out versioned binaries, symlinks, dirs, config, units and logrotate" {
    run inst
    [ "$status" -eq 0 ]
    [[ "$output" == *"installing pganalytics 3.3.0 in $ROOT"* ]]
    [[ "$output" == *"notice: not creating system user pganalytics"* ]]
    for tool in "${TOOLS[@]}"; do
        [ -x "$BIN/$tool-3.3.0" ]
        [ "$(readlink "$BIN/$tool")" = "$tool-3.3.0" ]
    done
    run "$BIN/pganalytics" --version
    [[ "$output" == "pganalytics 3.3.0 "* ]]
    [ "$(stat -c %a "$ROOT/var/lib/pganalytics")" = 750 ]
    [ "$(stat -c %a "$ROOT/var/log/pganalytics")" = 750 ]
    [ "$(stat -c %a "$ETC")" = 750 ]
    [ "$(stat -c %a "$ETC/collector.toml")" = 640 ]
    cmp "$ETC/collector.toml" <("$PGA_BIN/pganalytics" --print-sample-config)
    cmp "$ETC/collector.toml.sample" "$ETC/collector.toml"
    [ ! -e "$ETC/collector.toml.new" ]
    grep -qx 'ExecStart=/opt/pganalytics/bin/pganalytics cron -c /etc/pganalytics/collector.toml' \
        "$ROOT/lib/systemd/system/pganalytics-collector.service"
    grep -qx 'ExecStart=/opt/pganalytics/bin/pga-healthcheck -c /etc/pganalytics/collector.toml' \
        "$ROOT/lib/systemd/system/pga-healthcheck.service"
    [ -f "$ROOT/lib/systemd/system/pga-healthcheck.timer" ]
    ! grep -rq "$ROOT" "$ROOT/lib/systemd/system"
    cmp "$ROOT/etc/logrotate.d/pganalytics" "$PGA_SRC/packaging/pganalytics.logrotate"
    [ ! -e "$BACKUPS" ]
}

@test "--prefix and --sysconfdir reach the layout and the units" {
    run inst --prefix /usr/local/pga --sysconfdir /etc/pga
    [ "$status" -eq 0 ]
    [ "$(readlink "$ROOT/usr/local/pga/bin/pga-diag")" = pga-diag-3.3.0 ]
    [ -f "$ROOT/etc/pga/collector.toml" ]
    grep -qx 'ExecStart=/usr/local/pga/bin/pganalytics cron -c /etc/pga/collector.toml' \
        "$ROOT/lib/systemd/system/pganalytics-collector.service"
}

@test "running install twice changes nothing and makes no backup" {
    inst
    before=$(snapshot)
    run inst
    [ "$status" -eq 0 ]
    [[ "$output" == *"pganalytics 3.3.0 is already installed"* ]]
    [ "$(snapshot)" = "$before" ]
    [ ! -e "$BACKUPS" ]
}

@test "upgrade backs up, keeps the config, writes collector.toml.new and lists the new options" {
    inst --version-override 3.2.0
    [ "$(readlink "$BIN/pganalytics")" = pganalytics-3.2.0 ]
    old_config >"$ETC/collector.toml"
    echo "INFO old log line" >"$ROOT/var/log/pganalytics/collector.log"
    cp "$ETC/collector.toml" "$BATS_TEST_TMPDIR/user.toml"

    run inst
    [ "$status" -eq 0 ]
    [[ "$output" == *"upgrading pganalytics 3.2.0 -> 3.3.0"* ]]
    [[ "$output" == *"backup created: /var/backups/pganalytics/pganalytics-backup-"* ]]
    # The user's config is untouched, the new sample sits next to it.
    cmp "$ETC/collector.toml" "$BATS_TEST_TMPDIR/user.toml"
    cmp "$ETC/collector.toml.new" <("$PGA_BIN/pganalytics" --print-sample-config)
    [ "$(stat -c %a "$ETC/collector.toml.new")" = 640 ]
    # Options the old config lacks are listed, those it has are not.
    [[ "$output" == *"options in the 3.3.0 sample that /etc/pganalytics/collector.toml lacks"* ]]
    [[ "$output" == *"  postgresql.pool_min_size"* ]]
    [[ "$output" == *"  collector_threading.thread_pool_size"* ]]
    [[ "$output" != *"  collector.id"$'\n'* ]]
    [[ "$output" != *"  postgresql.databases"$'\n'* ]]
    # New version active, old versioned binaries kept.
    for tool in "${TOOLS[@]}"; do
        [ "$(readlink "$BIN/$tool")" = "$tool-3.3.0" ]
        [ -x "$BIN/$tool-3.2.0" ]
    done
    # The backup holds the old binaries, config and logs.
    backup=$(ls -d "$BACKUPS"/pganalytics-backup-*)
    [ "$(echo "$backup" | wc -l)" -eq 1 ]
    [[ "${backup##*/}" =~ ^pganalytics-backup-[0-9]{8}-[0-9]{6}$ ]]
    [ "$(cat "$backup/VERSION")" = 3.2.0 ]
    for tool in "${TOOLS[@]}"; do
        [ -x "$backup/bin/$tool-3.2.0" ]
    done
    cmp "$backup/config/collector.toml" "$BATS_TEST_TMPDIR/user.toml"
    grep -qx "INFO old log line" "$backup/logs/collector.log"
}

@test "a config that fails validation stops the upgrade with the old version still active" {
    inst --version-override 3.2.0
    printf '[postgresql]\nquery_stats_limit = 20000\n' >"$ETC/collector.toml"
    run inst
    [ "$status" -eq 78 ]
    [[ "$output" == *"query_stats_limit"* ]]
    [[ "$output" == *"failed validation with 3.3.0: upgrade stopped, 3.2.0 is still active"* ]]
    for tool in "${TOOLS[@]}"; do
        [ "$(readlink "$BIN/$tool")" = "$tool-3.2.0" ]
        [ ! -e "$BIN/$tool-3.3.0" ]
    done
    # The backup was taken before anything was touched.
    [ "$(ls "$BACKUPS" | wc -l)" -eq 1 ]
}

@test "rollback returns to the previous version and its config" {
    inst --version-override 3.2.0
    old_config >"$ETC/collector.toml"
    cp "$ETC/collector.toml" "$BATS_TEST_TMPDIR/user.toml"
    inst
    echo 'pool_max_size = 15' >>"$ETC/collector.toml"
    cp "$ETC/collector.toml" "$BATS_TEST_TMPDIR/edited.toml"

    run inst --rollback
    [ "$status" -eq 0 ]
    [[ "$output" == *"rolling back pganalytics 3.3.0 -> 3.2.0"* ]]
    [[ "$output" == *"skipping pga-healthcheck"* ]]
    for tool in "${TOOLS[@]}"; do
        [ "$(readlink "$BIN/$tool")" = "$tool-3.2.0" ]
        [ -x "$BIN/$tool-3.3.0" ]
    done
    cmp "$ETC/collector.toml" "$BATS_TEST_TMPDIR/user.toml"
    cmp "$ETC/collector.toml.pre-rollback" "$BATS_TEST_TMPDIR/edited.toml"
}

@test "rollback to a named backup restores binaries that were removed since" {
    inst --version-override 3.2.0
    inst
    name=$(ls "$BACKUPS")
    rm -f "$BIN"/*-3.2.0
    run inst --rollback "$name"
    [ "$status" -eq 0 ]
    [ "$(readlink "$BIN/pganalytics")" = pganalytics-3.2.0 ]
    cmp "$BIN/pganalytics-3.2.0" "$BUILT/tools/pganalytics"
    run inst --rollback no-such-backup
    [ "$status" -eq 1 ]
    [[ "$output" == *"not a backup: /var/backups/pganalytics/no-such-backup"* ]]
}

@test "--list-backups lists every backup oldest first" {
    run inst --list-backups
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    inst --version-override 3.1.0
    inst --version-override 3.2.0
    inst
    run inst --list-backups
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
    [ "$(cat "$BACKUPS/${lines[0]}/VERSION")" = 3.1.0 ]
    [ "$(cat "$BACKUPS/${lines[1]}/VERSION")" = 3.2.0 ]
}

@test "--dry-run prints the actions and changes nothing" {
    run inst --dry-run
    [ "$status" -eq 0 ]
    [[ "$output" == *"+ install -m 0755 $BUILT/tools/pganalytics $BIN/pganalytics-3.3.0.tmp"* ]]
    [[ "$output" == *"+ ln -sfn pganalytics-3.3.0 $BIN/.pganalytics.new"* ]]
    [[ "$output" == *"+ write $ROOT/lib/systemd/system/pganalytics-collector.service"* ]]
    [ ! -e "$ROOT" ]

    inst --version-override 3.2.0
    before=$(snapshot)
    run inst --dry-run
    [ "$status" -eq 0 ]
    [[ "$output" == *"+ mkdir -m 0700 $BACKUPS/pganalytics-backup-"* ]]
    run inst --uninstall --purge --dry-run
    [ "$status" -eq 0 ]
    [[ "$output" == *"+ rm -rf $ETC"* ]]
    [ "$(snapshot)" = "$before" ]
}

@test "uninstall keeps config, data, logs and backups; --purge removes them" {
    inst --version-override 3.2.0
    inst
    echo data >"$ROOT/var/lib/pganalytics/spool"
    run inst --uninstall
    [ "$status" -eq 0 ]
    [ ! -e "$ROOT/opt/pganalytics" ]
    [ ! -e "$ROOT/lib/systemd/system/pganalytics-collector.service" ]
    [ ! -e "$ROOT/lib/systemd/system/pga-healthcheck.timer" ]
    [ ! -e "$ROOT/etc/logrotate.d/pganalytics" ]
    [ -f "$ETC/collector.toml" ]
    [ -f "$ROOT/var/lib/pganalytics/spool" ]
    [ -d "$ROOT/var/log/pganalytics" ]
    [ -d "$BACKUPS" ]
    run inst --uninstall
    [ "$status" -eq 0 ]
    run inst --uninstall --purge
    [ "$status" -eq 0 ]
    [ ! -e "$ETC" ]
    [ ! -e "$ROOT/var/lib/pganalytics" ]
    [ ! -e "$ROOT/var/log/pganalytics" ]
    [ ! -e "$BACKUPS" ]
}

@test "usage errors exit 2" {
    run inst --no-such-option
    [ "$status" -eq 2 ]
    [[ "$output" == *"unknown option: --no-such-option"* ]]
    run inst --purge
    [ "$status" -eq 2 ]
    run inst --prefix relative/path
    [ "$status" -eq 2 ]
}

@test "install.sh and the maintainer scripts are shellcheck-clean" {
    command -v shellcheck >/dev/null || skip "shellcheck not installed"
    shellcheck "$PGA_SRC/install.sh" "$PGA_SRC"/packaging/deb/postinst "$PGA_SRC"/packaging/deb/prerm \
        "$PGA_SRC"/packaging/deb/postrm
}

# fake_systemctl: PGA_SYSTEMCTL logs each call with the version bin/pganalytics points at then;
# is-active answers "active".
fake_systemctl() {
    cat >"$BATS_TEST_TMPDIR/systemctl" <<FAKE
#!/bin/sh
echo "\$* [\$(readlink "$BIN/pganalytics")]" >>"$BATS_TEST_TMPDIR/systemctl.log"
exit 0
FAKE
    chmod +x "$BATS_TEST_TMPDIR/systemctl"
    export PGA_SYSTEMCTL="$BATS_TEST_TMPDIR/systemctl" PGA_HEALTHCHECK_DELAY=0
}

@test "with systemd, upgrade restarts a running collector after the flip, and only if validation passes" {
    skip "needs a real collector behind the fake systemctl: pga-healthcheck now checks the lock holder"
    fake_systemctl
    inst --version-override 3.2.0
    grep -qx 'daemon-reload \[pganalytics-3.2.0\]' "$BATS_TEST_TMPDIR/systemctl.log"
    : >"$BATS_TEST_TMPDIR/systemctl.log"
    printf '[postgresql]\nquery_stats_limit = 20000\n' >"$ETC/collector.toml"
    run inst --version-override 3.2.1
    [ "$status" -eq 78 ]
    ! grep -q 'restart\|stop' "$BATS_TEST_TMPDIR/systemctl.log"

    old_config >"$ETC/collector.toml"
    run inst
    grep -qx 'restart pganalytics-collector.service \[pganalytics-3.3.0\]' "$BATS_TEST_TMPDIR/systemctl.log"
    health_checked
}

# health_checked: pga-healthcheck ran after the start. While it is a stub the check is skipped with
# a warning; a real one finds no collector running here and fails the command with a hint.
health_checked() {
    if [[ "$output" == *"pga-healthcheck is not available in "*" yet: skipping the health check"* ]]; then
        [ "$status" -eq 0 ]
    else
        [ "$status" -eq 1 ]
        [[ "$output" == *"pga-healthcheck failed (exit "*"hint: inspect: journalctl -u pganalytics-collector.service"* ]]
    fi
}

@test "with systemd, rollback stops, flips to the old version, starts and health-checks" {
    skip "needs a real collector behind the fake systemctl: pga-healthcheck now checks the lock holder"
    fake_systemctl
    inst --version-override 3.2.0
    inst
    : >"$BATS_TEST_TMPDIR/systemctl.log"
    run inst --rollback
    [[ "$output" == *"rolling back pganalytics 3.3.0 -> 3.2.0"* ]]
    health_checked
    run cat "$BATS_TEST_TMPDIR/systemctl.log"
    [ "${lines[0]}" = "stop pganalytics-collector.service [pganalytics-3.3.0]" ]
    [ "${lines[1]}" = "daemon-reload [pganalytics-3.2.0]" ]
    [ "${lines[2]}" = "start pganalytics-collector.service [pganalytics-3.2.0]" ]
}
