#!/usr/bin/env bats
# The systemd units (systemd-analyze verify and security exposure <= 2.0), the logrotate config,
# and the .deb from `make package` installed and purged for real with dpkg (root only; the test
# removes the package, the pganalytics user and every directory it created).

load helpers/common

UNITS=(pganalytics-collector.service pga-healthcheck.service pga-healthcheck.timer)

teardown() {
    if [ -e "$BATS_TEST_TMPDIR/deb-installed" ]; then
        deb_cleanup
    fi
}

setup() {
    ROOT="$BATS_TEST_TMPDIR/root"
    UNITDIR="$BATS_TEST_TMPDIR/units"
}

# render_units PREFIX SYSCONFDIR: the templates as install.sh renders them, into $UNITDIR.
render_units() {
    mkdir -p "$UNITDIR"
    for unit in "${UNITS[@]}"; do
        sed -e "s|@PREFIX@|$1|g" -e "s|@SYSCONFDIR@|$2|g" "$PGA_SRC/systemd/$unit.in" >"$UNITDIR/$unit"
    done
}

# Units pointing at binaries that exist: install into a temp root, render for that root.
installed_units() {
    DESTDIR="$ROOT" "$PGA_SRC/install.sh" --from-build "$PGA_BUILD_DIR" >/dev/null
    render_units "$ROOT/opt/pganalytics" "$ROOT/etc/pganalytics"
}

@test "every unit passes systemd-analyze verify without a message" {
    installed_units
    for unit in "${UNITS[@]}"; do
        run systemd-analyze verify "$UNITDIR/$unit"
        echo "$unit: $output"
        [ "$status" -eq 0 ]
        [ -z "$output" ]
    done
}

@test "install.sh writes the templates rendered for its prefix (the units verified above)" {
    installed_units
    for unit in "${UNITS[@]}"; do
        # Same file apart from the prefix: what install.sh wrote is the template rendered.
        diff <(sed "s|$ROOT||g" "$UNITDIR/$unit") "$ROOT/lib/systemd/system/$unit"
    done
}

@test "the CMake-configured units match the templates rendered for the build's prefix" {
    prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$PGA_BUILD_DIR/CMakeCache.txt")
    [ -n "$prefix" ]
    render_units "$prefix" /etc/pganalytics
    for unit in "${UNITS[@]}"; do
        [ -f "$PGA_BUILD_DIR/systemd/$unit" ] || skip "build dir configured before $unit existed"
        diff "$UNITDIR/$unit" "$PGA_BUILD_DIR/systemd/$unit"
    done
}

@test "both services score an exposure of 2.0 or less in systemd-analyze security" {
    render_units /opt/pganalytics /etc/pganalytics
    for unit in pganalytics-collector.service pga-healthcheck.service; do
        run systemd-analyze security --offline=true --threshold=20 "$UNITDIR/$unit"
        [ "$status" -eq 0 ]
        score=$(echo "$output" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
        echo "$unit exposure $score"
        [ -n "$score" ]
        awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'
    done
}

@test "the collector unit is Type=notify with the watchdog, reload and restart contract" {
    unit="$PGA_SRC/systemd/pganalytics-collector.service.in"
    grep -qx 'Type=notify' "$unit"
    grep -qx 'NotifyAccess=main' "$unit"
    grep -q '^WatchdogSec=[1-9]' "$unit"
    grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit"
    grep -qx 'Restart=on-failure' "$unit"
    grep -qx 'User=pganalytics' "$unit"
    grep -qx 'StateDirectory=pganalytics' "$unit"
    grep -qx 'LogsDirectory=pganalytics' "$unit"
    grep -q '^# *LoadCredential=' "$unit"
    # sysstat and disk_usage read /proc/stat, /proc/meminfo, /proc/diskstats, /proc/self/mountinfo.
    ! grep -q '^ProcSubset=pid' "$unit"
    ! grep -q '^PrivateNetwork=yes' "$unit"
    ! grep -q '^IPAddressDeny=' "$unit"
    grep -qx 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' "$unit"
}

@test "the timer runs the health check every five minutes" {
    render_units /opt/pganalytics /etc/pganalytics
    run systemd-analyze calendar "$(sed -n 's/^OnCalendar=//p' "$UNITDIR/pga-healthcheck.timer")" --iterations=2
    [ "$status" -eq 0 ]
    [[ "$output" == *"Normalized form: *-*-* *:00/5:00"* ]]
    grep -qx 'Unit=pga-healthcheck.service' "$UNITDIR/pga-healthcheck.timer"
    grep -qx 'Type=oneshot' "$UNITDIR/pga-healthcheck.service"
}

@test "logrotate sends SIGHUP to the collector instead of copytruncate" {
    conf="$PGA_SRC/packaging/pganalytics.logrotate"
    ! grep -q copytruncate "$conf"
    grep -q 'systemctl kill -s HUP --kill-whom=main pganalytics-collector.service' "$conf"
    command -v logrotate >/dev/null || skip "logrotate not installed"
    # logrotate parses it (debug mode only prints; the pganalytics user may not exist here).
    mkdir -p "$BATS_TEST_TMPDIR/log"
    sed -e "s|/var/log/pganalytics|$BATS_TEST_TMPDIR/log|" -e 's/ pganalytics pganalytics$/ root root/' \
        "$conf" >"$BATS_TEST_TMPDIR/lr.conf"
    echo line >"$BATS_TEST_TMPDIR/log/collector.log"
    run logrotate -d -s "$BATS_TEST_TMPDIR/lr.state" "$BATS_TEST_TMPDIR/lr.conf"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" != *"error"* ]]
}

# --- the .deb -------------------------------------------------------------------------------------

deb_cleanup() {
    dpkg -P pganalytics >/dev/null 2>&1 || true
    if getent passwd pganalytics >/dev/null; then userdel pganalytics || true; fi
    if getent group pganalytics >/dev/null; then groupdel pganalytics || true; fi
    rm -rf /etc/pganalytics /var/lib/pganalytics /var/log/pganalytics /opt/pganalytics
}

@test "the .deb installs the same layout with dpkg and purges cleanly" {
    [ "$(id -u)" -eq 0 ] || skip "needs root (installs the package for real)"
    command -v cpack >/dev/null || skip "cpack not installed"
    if dpkg-query -W -f='${Status}' pganalytics 2>/dev/null | grep -q installed; then
        skip "a pganalytics package is already installed on this machine"
    fi
    if getent passwd pganalytics >/dev/null || [ -e /opt/pganalytics ] || [ -e /etc/pganalytics ]; then
        skip "this machine already has a pganalytics user or installation"
    fi
    if [ ! -f "$PGA_BUILD_DIR/CPackConfig.cmake" ]; then
        cmake "$PGA_BUILD_DIR" >/dev/null # configured before cmake/Packaging.cmake existed
    fi
    (cd "$PGA_BUILD_DIR" && cpack -G DEB -B "$BATS_TEST_TMPDIR/deb" >/dev/null)
    deb=$(ls "$BATS_TEST_TMPDIR"/deb/pganalytics_3.3.0_*.deb)

    # Depends comes from dpkg-shlibdeps: every shared library the tools link (libpq5, libcurl4, ...
    # once the code uses them) has its package listed.
    depends=$(dpkg-deb -f "$deb" Depends)
    echo "Depends: $depends"
    for lib in $(readelf -d "$PGA_BIN"/* 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do
        pkg=$(dpkg -S "*/$lib" 2>/dev/null | grep -E "x86_64-linux-gnu/$lib\$" | head -n 1 | cut -d: -f1)
        [ -n "$pkg" ] || continue
        echo "$lib -> $pkg"
        [[ "$depends" == *"$pkg"* ]] # libspdlog1.10 is shipped as libspdlog1.10-fmt9
    done
    run dpkg-deb -c "$deb"
    [[ "$output" == *"./opt/pganalytics/bin/pganalytics-3.3.0"* ]]
    [[ "$output" == *"./opt/pganalytics/bin/pganalytics -> pganalytics-3.3.0"* ]]
    [[ "$output" == *"./etc/pganalytics/collector.toml.sample"* ]]
    [[ "$output" == *"./lib/systemd/system/pganalytics-collector.service"* ]]
    [[ "$output" == *"./etc/logrotate.d/pganalytics"* ]]

    touch "$BATS_TEST_TMPDIR/deb-installed" # teardown removes everything from here on
    run dpkg -i "$deb"
    echo "$output"
    [ "$status" -eq 0 ]
    for tool in pganalytics pga-validate pga-healthcheck pga-diag pga-bench; do
        [ "$(readlink /opt/pganalytics/bin/$tool)" = "$tool-3.3.0" ]
    done
    run /opt/pganalytics/bin/pganalytics --version
    [[ "$output" == "pganalytics 3.3.0 "* ]]
    getent passwd pganalytics
    [ "$(stat -c '%a %U %G' /etc/pganalytics/collector.toml)" = "640 root pganalytics" ]
    [ "$(stat -c '%a %U %G' /var/lib/pganalytics)" = "750 pganalytics pganalytics" ]
    [ "$(stat -c '%a %U %G' /var/log/pganalytics)" = "750 pganalytics pganalytics" ]
    grep -qx 'ExecStart=/opt/pganalytics/bin/pganalytics cron -c /etc/pganalytics/collector.toml' \
        /lib/systemd/system/pganalytics-collector.service
    run systemd-analyze verify /lib/systemd/system/pganalytics-collector.service
    [ "$status" -eq 0 ]

    run dpkg -P pganalytics
    echo "$output"
    [ "$status" -eq 0 ]
    [ ! -e /opt/pganalytics ]
    [ ! -e /etc/pganalytics ]
    [ ! -e /var/lib/pganalytics ]
    [ ! -e /lib/systemd/system/pganalytics-collector.service ]
    [ ! -e /etc/logrotate.d/pganalytics ]
    deb_cleanup
    ! getent passwd pganalytics
}
