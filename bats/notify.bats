#!/usr/bin/env bats
# `pganalytics cron` speaks systemd's notify protocol (Type=notify units): READY=1 once the loop
# runs, WATCHDOG=1 while it waits, STOPPING=1 on the way out. A datagram socket stands in for systemd.

load helpers/common
load helpers/pg

setup_file() { pg_start; }
teardown_file() { pg_stop; }
setup() { pg_require; }

@test "cron sends READY=1, WATCHDOG=1 and STOPPING=1 to NOTIFY_SOCKET" {
    sock="$BATS_TEST_TMPDIR/notify.sock"
    msgs="$BATS_TEST_TMPDIR/messages"
    /usr/bin/python3 - "$sock" "$msgs" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(1.0)
end = time.time() + 60
with open(sys.argv[2], "w") as out:
    while time.time() < end:
        try:
            out.write(s.recv(4096).decode() + "\n")
            out.flush()
        except socket.timeout:
            pass
PY
    listener=$!
    while [ ! -S "$sock" ]; do sleep 0.05; done
    cfg=$(write_config notify.toml "[collector]
state_dir = \"$BATS_TEST_TMPDIR/state\"
log_file = \"$BATS_TEST_TMPDIR/collector.log\"
interval = 1
[postgresql]
host = \"$PGA_PG_HOST\"
port = $PGA_PG_PORT
user = \"postgres\"")
    mkdir -p "$BATS_TEST_TMPDIR/state"
    NOTIFY_SOCKET="$sock" WATCHDOG_USEC=2000000 "$PGA_BIN/pganalytics" cron --dry-run -c "$cfg" >/dev/null 2>&1 &
    collector=$!
    for _ in $(seq 300); do grep -q STOPPING "$msgs" 2>/dev/null && break; grep -q WATCHDOG=1 "$msgs" 2>/dev/null && break; sleep 0.1; done
    grep -qx "WATCHDOG=1" "$msgs" || { echo "no WATCHDOG=1 within 30 s" >&2; cat "$msgs" >&2; false; }
    kill -TERM "$collector"
    wait "$collector"
    # STOPPING=1 is in the socket once the collector has exited; the listener writes it out.
    for _ in $(seq 100); do grep -qx STOPPING=1 "$msgs" && break; sleep 0.1; done
    kill "$listener"
    cat "$msgs"
    grep -qx "READY=1" "$msgs"
    grep -qx "WATCHDOG=1" "$msgs"
    grep -qx "STOPPING=1" "$msgs"
    [ "$(grep -n READY=1 "$msgs" | head -1 | cut -d: -f1)" -lt "$(grep -n STOPPING=1 "$msgs" | cut -d: -f1)" ]
}
