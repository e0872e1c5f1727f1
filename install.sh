#!/usr/bin/env bash
# install.sh: installs, upgrades, rolls back and removes pganalytics (the five tools as versioned
# binaries behind symlinks, the config, the systemd units and the logrotate config). It replaces the
# deployment guide's steps 1 and 4-8 and its rollback plan. Run `install.sh --help` for the usage.
#
# Layout (every path below is prefixed with $DESTDIR when it is set, which is how the tests install
# into a temporary root; user creation, chown and systemctl are then skipped):
#   PREFIX/bin/<tool>-<version>, PREFIX/bin/<tool> -> <tool>-<version>
#   SYSCONFDIR/collector.toml (0640 root:pganalytics), collector.toml.sample, collector.toml.new
#   /var/lib/pganalytics, /var/log/pganalytics (0750 pganalytics:pganalytics)
#   /lib/systemd/system/{pganalytics-collector.service,pga-healthcheck.service,pga-healthcheck.timer}
#   /etc/logrotate.d/pganalytics
#   BACKUP_ROOT/pganalytics-backup-YYYYmmdd-HHMMSS/{VERSION,bin/,config/,logs/}
set -euo pipefail

readonly TOOLS=(pganalytics pga-validate pga-healthcheck pga-diag pga-bench)
readonly SERVICE=pganalytics-collector.service
readonly TIMER=pga-healthcheck.timer
readonly UNITS=(pganalytics-collector.service pga-healthcheck.service pga-healthcheck.timer)
readonly SVC_USER=pganalytics
readonly EX_CONFIG=78
SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SRC_DIR

PREFIX=/opt/pganalytics
SYSCONFDIR=/etc/pganalytics
STATEDIR=/var/lib/pganalytics
LOGDIR=/var/log/pganalytics
UNITDIR=/lib/systemd/system
LOGROTATEDIR=/etc/logrotate.d
BACKUP_ROOT=/var/backups/pganalytics
DESTDIR=${DESTDIR:-}
FROM_BUILD=
BUILD_DIR=${BUILD_DIR:-$SRC_DIR/build-release}
VERSION_OVERRIDE=
ACTION=install
ROLLBACK_TARGET=
PURGE=0
DRY_RUN=0
SKIP_VALIDATION=0
VALIDATE_ONLY=""

usage() {
    cat <<EOF
Usage: install.sh [OPTIONS]                 install or upgrade (default)
       install.sh --rollback [BACKUP]       return to the version and config saved in BACKUP
                                            (default: the newest backup)
       install.sh --list-backups            list the backups, newest last
       install.sh --uninstall [--purge]     remove binaries, units and logrotate config; keeps
                                            config, data, logs and backups unless --purge

Options:
  --from-build DIR        take the binaries from a CMake build dir (DIR/tools/<tool> or DIR/<tool>)
                          instead of building with cmake into \$BUILD_DIR ($BUILD_DIR)
  --prefix DIR            install prefix (default /opt/pganalytics)
  --sysconfdir DIR        configuration directory (default /etc/pganalytics)
  --backup-dir DIR        where backups go (default /var/backups/pganalytics)
  --version-override V    install the binaries as version V (tests use it to fake an older version)
  --skip-validation       upgrade without validating the config first (not recommended)
  --validate-only LIST    run only these pga-validate sections (e.g. config,tls) before restarting
  --dry-run               print every action without doing it
  -h, --help              this help

Environment: DESTDIR installs into a staging root (no user creation, chown or systemctl).
Exit codes: 0 success, 1 failure (nothing switched), 2 usage error, 78 config failed validation.
EOF
}

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'install.sh: %s\n' "$1" >&2
    [ $# -lt 2 ] || printf 'hint: %s\n' "$2" >&2
    exit "${3:-1}"
}

# run CMD...: prints the action, runs it unless --dry-run.
run() {
    printf '+'
    printf ' %q' "$@"
    printf '\n'
    [ "$DRY_RUN" -eq 1 ] || "$@"
}

# write_file PATH MODE < CONTENT: writes stdin to PATH atomically with MODE.
write_file() {
    local path=$1 mode=$2 tmp
    printf '+ write %s (mode %s)\n' "$path" "$mode"
    if [ "$DRY_RUN" -eq 1 ]; then
        cat >/dev/null
        return
    fi
    tmp=$(mktemp "$path.XXXXXX")
    cat >"$tmp"
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$path"
}

is_root() { [ "$(id -u)" -eq 0 ]; }
# Real-system operations (users, ownership, systemctl) only when installing into / as root.
on_real_system() { [ -z "$DESTDIR" ] && is_root; }
# PGA_SYSTEMCTL (tests only) replaces systemctl and counts as a running systemd, even with DESTDIR.
SYSTEMCTL=${PGA_SYSTEMCTL:-systemctl}
systemd_running() { [ -n "${PGA_SYSTEMCTL:-}" ] || { [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; }; }

chown_path() {
    if on_real_system; then
        run chown "$1" "$2"
    fi
}

# Paths as seen by this script (inside DESTDIR).
d() { printf '%s%s' "$DESTDIR" "$1"; }

parse_args() {
    while [ $# -gt 0 ]; do
        case $1 in
        --from-build) FROM_BUILD=${2:?--from-build needs a directory}; shift ;;
        --from-build=*) FROM_BUILD=${1#*=} ;;
        --prefix) PREFIX=${2:?--prefix needs a directory}; shift ;;
        --prefix=*) PREFIX=${1#*=} ;;
        --sysconfdir) SYSCONFDIR=${2:?--sysconfdir needs a directory}; shift ;;
        --sysconfdir=*) SYSCONFDIR=${1#*=} ;;
        --backup-dir) BACKUP_ROOT=${2:?--backup-dir needs a directory}; shift ;;
        --backup-dir=*) BACKUP_ROOT=${1#*=} ;;
        --version-override) VERSION_OVERRIDE=${2:?--version-override needs a version}; shift ;;
        --version-override=*) VERSION_OVERRIDE=${1#*=} ;;
        --skip-validation) SKIP_VALIDATION=1 ;;
        --validate-only) VALIDATE_ONLY=${2:?--validate-only needs sections}; shift ;;
        --validate-only=*) VALIDATE_ONLY=${1#*=} ;;
        --dry-run) DRY_RUN=1 ;;
        --rollback)
            ACTION=rollback
            if [ $# -gt 1 ] && [ "${2#-}" = "$2" ]; then
                ROLLBACK_TARGET=$2
                shift
            fi
            ;;
        --list-backups) ACTION=list-backups ;;
        --uninstall) ACTION=uninstall ;;
        --purge) PURGE=1 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" "see install.sh --help" 2 ;;
        esac
        shift
    done
    if [ "$PURGE" -eq 1 ] && [ "$ACTION" != uninstall ]; then
        die "--purge only goes with --uninstall" "" 2
    fi
    [ "${PREFIX#/}" != "$PREFIX" ] || die "--prefix must be absolute: $PREFIX" "" 2
    [ "${SYSCONFDIR#/}" != "$SYSCONFDIR" ] || die "--sysconfdir must be absolute: $SYSCONFDIR" "" 2
    [ "${BACKUP_ROOT#/}" != "$BACKUP_ROOT" ] || die "--backup-dir must be absolute: $BACKUP_ROOT" "" 2
}

# --- versions ------------------------------------------------------------------------------------

# installed_version: the version the bin/pganalytics symlink points at; for an older manual
# install with a plain bin/pganalytics file, the version it prints; nothing when not installed.
installed_version() {
    local link target
    link=$(d "$PREFIX/bin/pganalytics")
    if [ -f "$link" ] && [ ! -L "$link" ]; then
        binary_version "$link"
        return
    fi
    [ -L "$link" ] || return 0
    target=$(readlink "$link")
    target=${target##*/}
    printf '%s' "${target#pganalytics-}"
}

# binary_version FILE: the version FILE --version prints ("pganalytics 3.3.0 (built with ...)").
binary_version() {
    local out
    out=$("$1" --version 2>/dev/null) || die "cannot run $1 --version"
    out=${out#* }
    printf '%s' "${out%% *}"
}

valid_version() { [[ $1 =~ ^v?[0-9]+\.[0-9]+\.[0-9]+([.~+-][0-9A-Za-z.~+-]+)?$ ]]; }

# --- binaries -------------------------------------------------------------------------------------

# find_binaries: sets BIN_SRC to the directory holding the five built tools, building if needed.
find_binaries() {
    local dir
    if [ -z "$FROM_BUILD" ]; then
        command -v cmake >/dev/null || die "cmake not found" "install it or pass --from-build DIR"
        run cmake -S "$SRC_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DPGA_BUILD_TESTS=OFF \
            -DPGA_WERROR=OFF
        run cmake --build "$BUILD_DIR" -j "$(nproc)"
        FROM_BUILD=$BUILD_DIR
        if [ "$DRY_RUN" -eq 1 ] && [ ! -x "$FROM_BUILD/tools/pganalytics" ]; then
            BIN_SRC=$FROM_BUILD/tools
            return
        fi
    fi
    for dir in "$FROM_BUILD/tools" "$FROM_BUILD"; do
        if [ -x "$dir/pganalytics" ]; then
            BIN_SRC=$dir
            local tool
            for tool in "${TOOLS[@]}"; do
                [ -x "$dir/$tool" ] || die "missing binary: $dir/$tool" "build all five tools first"
            done
            return
        fi
    done
    die "no pganalytics binary in $FROM_BUILD/tools or $FROM_BUILD" "build first: cmake --build $FROM_BUILD"
}

# same_binaries VERSION: whether every installed <tool>-VERSION equals the one about to be installed.
same_binaries() {
    local tool
    for tool in "${TOOLS[@]}"; do
        cmp -s "$BIN_SRC/$tool" "$(d "$PREFIX/bin/$tool-$1")" || return 1
    done
}

# adopt_plain_binaries VERSION: an install from before the versioned layout has plain bin/<tool>
# files; keep each as bin/<tool>-VERSION so the symlink flip (and a rollback) can use it.
adopt_plain_binaries() {
    local version=$1 tool f
    for tool in "${TOOLS[@]}"; do
        f=$(d "$PREFIX/bin/$tool")
        if [ -f "$f" ] && [ ! -L "$f" ] && [ ! -e "$f-$version" ]; then
            run mv "$f" "$f-$version"
        fi
    done
}

# point_symlinks VERSION: flips every bin/<tool> symlink to <tool>-VERSION (atomic rename).
point_symlinks() {
    local version=$1 tool bindir
    bindir=$(d "$PREFIX/bin")
    for tool in "${TOOLS[@]}"; do
        [ -e "$bindir/$tool-$version" ] || [ "$DRY_RUN" -eq 1 ] || die "missing $bindir/$tool-$version"
        run ln -sfn "$tool-$version" "$bindir/.$tool.new"
        run mv -Tf "$bindir/.$tool.new" "$bindir/$tool"
    done
}

# --- config ---------------------------------------------------------------------------------------

# config_keys FILE: section.key for every key in a TOML file, set or commented out ("# key = v").
config_keys() {
    awk '
        /^[ \t]*#?[ \t]*\[[A-Za-z0-9_.-]+\][ \t]*$/ {
            s = $0; gsub(/[][# \t]/, "", s); section = s; next
        }
        /^[ \t]*#?[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=/ {
            k = $0; sub(/^[ \t]*#?[ \t]*/, "", k); sub(/[ \t]*=.*/, "", k)
            print (section == "" ? k : section "." k)
        }' "$1" | sort -u
}

# new_config_keys OLD NEW: keys NEW has and OLD lacks, one per line.
new_config_keys() {
    comm -13 <(config_keys "$1") <(config_keys "$2")
}

# validate_config VALIDATOR_DIR VERSION CONFIG: pga-validate, falling back to --validate-config.
validate_config() {
    local bindir=$1 version=$2 config=$3 out rc=0
    if [ "$SKIP_VALIDATION" -eq 1 ]; then
        warn "skipping config validation (--skip-validation)"
        return 0
    fi
    say "validating $config with pga-validate $version"
    if [ "$DRY_RUN" -eq 1 ]; then
        say "+ $bindir/pga-validate-$version -c $config"
        return 0
    fi
    local only=()
    [ -z "$VALIDATE_ONLY" ] || only=(--only "$VALIDATE_ONLY")
    out=$("$bindir/pga-validate-$version" -c "$config" "${only[@]}" 2>&1) || rc=$?
    if [[ $out == *"not available in this build yet"* ]]; then
        warn "pga-validate is not available in $version yet; using pganalytics --validate-config"
        rc=0
        out=$("$bindir/pganalytics-$version" --validate-config -c "$config" 2>&1) || rc=$?
        printf '%s\n' "$out"
        [ "$rc" -eq 0 ] || return 1
        return 0
    fi
    printf '%s\n' "$out"
    case $rc in
    0) return 0 ;;
    1) warn "pga-validate reported warnings (exit 1); continuing"; return 0 ;;
    *) return 1 ;;
    esac
}

# --- backups --------------------------------------------------------------------------------------

list_backups() {
    local root
    root=$(d "$BACKUP_ROOT")
    [ -d "$root" ] || return 0
    find "$root" -mindepth 1 -maxdepth 1 -type d -name 'pganalytics-backup-*' -printf '%f\n' | sort
}

# make_backup VERSION: step 1 of the guide; prints the backup's path (as seen on the target system).
make_backup() {
    local version=$1 name dir n=1 tool src
    name=pganalytics-backup-$(date +%Y%m%d-%H%M%S)
    while [ -e "$(d "$BACKUP_ROOT/$name")" ]; do
        name=pganalytics-backup-$(date +%Y%m%d-%H%M%S)-$n
        n=$((n + 1))
    done
    dir=$(d "$BACKUP_ROOT/$name")
    BACKUP_MADE=$BACKUP_ROOT/$name
    run mkdir -p -m 0700 "$(d "$BACKUP_ROOT")"
    run mkdir -m 0700 "$dir" "$dir/bin"
    printf '%s\n' "$version" | write_file "$dir/VERSION" 0600
    for tool in "${TOOLS[@]}"; do
        src=$(d "$PREFIX/bin/$tool-$version")
        if [ -e "$src" ]; then
            run cp -p "$src" "$dir/bin/"
        elif [ -f "$(d "$PREFIX/bin/$tool")" ]; then
            run cp -pL "$(d "$PREFIX/bin/$tool")" "$dir/bin/$tool-$version"
        fi
    done
    if [ -d "$(d "$SYSCONFDIR")" ]; then
        run cp -a "$(d "$SYSCONFDIR")" "$dir/config"
    fi
    if [ -d "$(d "$LOGDIR")" ]; then
        run cp -a "$(d "$LOGDIR")" "$dir/logs"
    fi
    say "backup created: $BACKUP_MADE"
}

# --- pieces of an installation --------------------------------------------------------------------

ensure_user() {
    if ! on_real_system; then
        say "notice: not creating system user $SVC_USER (DESTDIR set or not root)"
        return
    fi
    if id "$SVC_USER" >/dev/null 2>&1; then
        return
    fi
    run useradd --system --user-group --home-dir "$STATEDIR" --no-create-home \
        --shell /usr/sbin/nologin --comment "pganalytics collector" "$SVC_USER"
}

ensure_dirs() {
    run mkdir -p "$(d "$PREFIX/bin")"
    run install -d -m 0750 "$(d "$SYSCONFDIR")"
    chown_path "root:$SVC_USER" "$(d "$SYSCONFDIR")"
    local dir
    for dir in "$STATEDIR" "$LOGDIR"; do
        run install -d -m 0750 "$(d "$dir")"
        run chmod 0750 "$(d "$dir")"
        chown_path "$SVC_USER:$SVC_USER" "$(d "$dir")"
    done
}

# install_binaries VERSION: copies each tool as bin/<tool>-VERSION (symlinks untouched).
install_binaries() {
    local version=$1 tool
    local dst
    for tool in "${TOOLS[@]}"; do
        dst=$(d "$PREFIX/bin/$tool-$version")
        if cmp -s "$BIN_SRC/$tool" "$dst"; then
            continue
        fi
        # A new inode, never a rewrite: a running daemon may be executing the old file.
        run install -m 0755 "$BIN_SRC/$tool" "$dst.tmp"
        run mv -f "$dst.tmp" "$dst"
    done
}

# install_config VERSION: the sample; the config itself only when none exists.
install_config() {
    local version=$1 sample config keys
    sample=$(d "$SYSCONFDIR/collector.toml.sample")
    config=$(d "$SYSCONFDIR/collector.toml")
    if [ "$DRY_RUN" -eq 1 ] && [ ! -x "$(d "$PREFIX/bin/pganalytics-$version")" ]; then
        say "+ $PREFIX/bin/pganalytics-$version --print-sample-config > $sample"
    else
        "$(d "$PREFIX/bin/pganalytics-$version")" --print-sample-config | write_file "$sample" 0644
    fi
    if [ ! -e "$config" ]; then
        run install -m 0640 "$sample" "$config"
        chown_path "root:$SVC_USER" "$config"
        say "installed the sample config as $SYSCONFDIR/collector.toml: edit it before starting"
        return
    fi
    if cmp -s "$sample" "$config"; then
        return 0
    fi
    say "keeping $SYSCONFDIR/collector.toml; the new sample is $SYSCONFDIR/collector.toml.new"
    run install -m 0640 "$sample" "$config.new"
    chown_path "root:$SVC_USER" "$config.new"
    [ "$DRY_RUN" -eq 0 ] || return 0
    keys=$(new_config_keys "$config" "$sample")
    if [ -n "$keys" ]; then
        say "options in the $version sample that $SYSCONFDIR/collector.toml lacks (defaults apply):"
        printf '%s\n' "$keys" | sed 's/^/  /'
        say "review them: diff -u $SYSCONFDIR/collector.toml $SYSCONFDIR/collector.toml.new"
    else
        say "the $version sample adds no option your config lacks"
    fi
}

render_unit() {
    sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" "$1"
}

install_units() {
    local unit dir
    dir=$(d "$UNITDIR")
    run mkdir -p "$dir"
    for unit in "${UNITS[@]}"; do
        render_unit "$SRC_DIR/systemd/$unit.in" | write_file "$dir/$unit" 0644
    done
    run mkdir -p "$(d "$LOGROTATEDIR")"
    write_file "$(d "$LOGROTATEDIR/pganalytics")" 0644 <"$SRC_DIR/packaging/pganalytics.logrotate"
    if systemd_running; then
        run "$SYSTEMCTL" daemon-reload
    else
        say "notice: systemd is not running here (or DESTDIR is set): skipping systemctl daemon-reload"
    fi
}

service_active() { systemd_running && "$SYSTEMCTL" is-active --quiet "$SERVICE"; }

# health_check VERSION: pga-healthcheck after a (re)start; skipped with a warning when unavailable.
health_check() {
    local version=$1 out rc=0
    if ! systemd_running; then
        warn "service not started here (DESTDIR set or no systemd): skipping pga-healthcheck"
        return 0
    fi
    if [ "$DRY_RUN" -eq 1 ]; then
        say "+ $(d "$PREFIX/bin/pga-healthcheck") -c $(d "$SYSCONFDIR/collector.toml")"
        return 0
    fi
    sleep "${PGA_HEALTHCHECK_DELAY:-5}"
    out=$("$(d "$PREFIX/bin/pga-healthcheck")" -c "$(d "$SYSCONFDIR/collector.toml")" 2>&1) || rc=$?
    if [[ $out == *"not available in this build yet"* ]]; then
        warn "pga-healthcheck is not available in $version yet: skipping the health check"
        "$SYSTEMCTL" is-active --quiet "$SERVICE" || die "$SERVICE is not running after the start"
        return 0
    fi
    printf '%s\n' "$out"
    [ "$rc" -eq 0 ] || die "pga-healthcheck failed (exit $rc) after starting $version" \
        "inspect: journalctl -u $SERVICE; roll back: install.sh --rollback"
}

# --- actions --------------------------------------------------------------------------------------

do_install() {
    local old new was_active=0
    find_binaries
    if [ -n "$VERSION_OVERRIDE" ]; then
        new=$VERSION_OVERRIDE
    elif [ "$DRY_RUN" -eq 1 ] && [ ! -x "$BIN_SRC/pganalytics" ]; then
        new=$(sed -n 's/^project(pganalytics VERSION \([0-9.]*\).*/\1/p' "$SRC_DIR/CMakeLists.txt")
    else
        new=$(binary_version "$BIN_SRC/pganalytics")
    fi
    valid_version "$new" || die "not a version: '$new'"
    old=$(installed_version)

    if [ -n "$old" ] && [ "$old" = "$new" ] && same_binaries "$new"; then
        say "pganalytics $new is already installed${DESTDIR:+ in $DESTDIR}: refreshing the installation"
    elif [ -n "$old" ]; then
        say "upgrading pganalytics $old -> $new${DESTDIR:+ in $DESTDIR}"
        make_backup "$old"
    else
        say "installing pganalytics $new${DESTDIR:+ in $DESTDIR}"
    fi
    ensure_user
    ensure_dirs
    local fresh_binaries=0
    [ -e "$(d "$PREFIX/bin/pganalytics-$new")" ] || fresh_binaries=1
    install_binaries "$new"
    install_config "$new"

    if [ -n "$old" ] && ! validate_config "$(d "$PREFIX/bin")" "$new" "$(d "$SYSCONFDIR/collector.toml")"; then
        if [ "$fresh_binaries" -eq 1 ] && [ "$old" != "$new" ]; then
            local tool
            for tool in "${TOOLS[@]}"; do
                run rm -f "$(d "$PREFIX/bin/$tool-$new")"
            done
        fi
        die "$SYSCONFDIR/collector.toml failed validation with $new: upgrade stopped, $old is still active" \
            "fix the config (compare with collector.toml.new), then run install.sh again" "$EX_CONFIG"
    fi

    service_active && was_active=1
    [ -z "$old" ] || adopt_plain_binaries "$old"
    point_symlinks "$new"
    install_units
    if [ "$was_active" -eq 1 ]; then
        run "$SYSTEMCTL" restart "$SERVICE"
        health_check "$new"
    elif systemd_running; then
        say "start it with: systemctl enable --now $SERVICE $TIMER"
    fi
    say "pganalytics $new is active${DESTDIR:+ in $DESTDIR}"
}

do_rollback() {
    local name dir version current tool
    name=${ROLLBACK_TARGET:-$(list_backups | tail -n 1)}
    [ -n "$name" ] || die "no backup to roll back to in $BACKUP_ROOT"
    name=${name%/}
    name=${name##*/}
    dir=$(d "$BACKUP_ROOT/$name")
    [ -f "$dir/VERSION" ] || die "not a backup: $BACKUP_ROOT/$name" "see install.sh --list-backups"
    version=$(cat "$dir/VERSION")
    valid_version "$version" || die "bad VERSION in $BACKUP_ROOT/$name"
    current=$(installed_version)
    say "rolling back pganalytics ${current:-none} -> $version from $BACKUP_ROOT/$name"

    if systemd_running; then
        run "$SYSTEMCTL" stop "$SERVICE"
    fi
    for tool in "${TOOLS[@]}"; do
        if [ ! -e "$(d "$PREFIX/bin/$tool-$version")" ]; then
            [ -e "$dir/bin/$tool-$version" ] || die "$tool-$version is neither installed nor in the backup"
            run install -m 0755 "$dir/bin/$tool-$version" "$(d "$PREFIX/bin/$tool-$version")"
        fi
    done
    point_symlinks "$version"
    if [ -f "$dir/config/collector.toml" ]; then
        local config
        config=$(d "$SYSCONFDIR/collector.toml")
        if [ -f "$config" ] && ! cmp -s "$config" "$dir/config/collector.toml"; then
            run cp -p "$config" "$config.pre-rollback"
            say "the replaced config is kept as $SYSCONFDIR/collector.toml.pre-rollback"
        fi
        run cp -p "$dir/config/collector.toml" "$config"
        chown_path "root:$SVC_USER" "$config"
    fi
    if systemd_running; then
        run "$SYSTEMCTL" daemon-reload
        run "$SYSTEMCTL" start "$SERVICE"
    fi
    health_check "$version"
    say "pganalytics $version is active${DESTDIR:+ in $DESTDIR}"
}

do_uninstall() {
    local unit tool f
    say "uninstalling pganalytics${DESTDIR:+ from $DESTDIR}"
    if systemd_running; then
        run "$SYSTEMCTL" disable --now "$TIMER" "$SERVICE" || true
    fi
    for unit in "${UNITS[@]}"; do
        f=$(d "$UNITDIR/$unit")
        if [ -e "$f" ]; then run rm -f "$f"; fi
    done
    f=$(d "$LOGROTATEDIR/pganalytics")
    if [ -e "$f" ]; then run rm -f "$f"; fi
    if systemd_running; then
        run "$SYSTEMCTL" daemon-reload
    fi
    for tool in "${TOOLS[@]}"; do
        for f in "$(d "$PREFIX/bin/$tool")" "$(d "$PREFIX/bin/$tool")"-*; do
            if [ -e "$f" ] || [ -L "$f" ]; then run rm -f "$f"; fi
        done
    done
    for f in "$(d "$PREFIX/bin")" "$(d "$PREFIX")"; do
        if [ -d "$f" ]; then run rmdir --ignore-fail-on-non-empty "$f"; fi
    done
    if [ "$PURGE" -eq 1 ]; then
        for f in "$SYSCONFDIR" "$STATEDIR" "$LOGDIR" "$BACKUP_ROOT"; do
            if [ -e "$(d "$f")" ]; then run rm -rf "$(d "$f")"; fi
        done
        if on_real_system && id "$SVC_USER" >/dev/null 2>&1; then
            run userdel "$SVC_USER"
        fi
    else
        say "kept $SYSCONFDIR, $STATEDIR, $LOGDIR and $BACKUP_ROOT (remove them with --uninstall --purge)"
    fi
}

main() {
    parse_args "$@"
    [ "$DRY_RUN" -eq 0 ] || say "dry run: printing the actions without doing them"
    if [ -z "$DESTDIR" ] && ! is_root && [ "$ACTION" != list-backups ] && [ "$DRY_RUN" -eq 0 ]; then
        die "run as root (or set DESTDIR to install into a staging root)"
    fi
    case $ACTION in
    install) do_install ;;
    rollback) do_rollback ;;
    list-backups) list_backups ;;
    uninstall) do_uninstall ;;
    esac
}

main "$@"
