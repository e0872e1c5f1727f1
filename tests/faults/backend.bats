#!/usr/bin/env bats
# Backend faults: `pganalytics cron` against the scriptable test backend that refuses, hangs,
# trickles, answers 5xx/429/4xx/401/403, resets mid-upload, commits then drops the socket, answers
# garbage or a huge body, redirects, or presents a bad certificate. Each scenario ends with the
# ledger identity lost = created - counted drops - delivered-or-kept = 0.

load helpers/faults

setup_file() {
    load helpers/faults
    pg_start
}

teardown_file() {
    load helpers/faults
    pg_stop
}

setup() {
    fault_setup
}

teardown() {
    fault_teardown
}

# run_outage NAME FAULT_JSON [MIN_CREATED [CONDITION]]: the fault during MIN_CREATED (3) batches
# (and until CONDITION holds), then cleared; the backlog drains and nothing is lost.
run_outage() {
    backend_start --static-token "$FAULT_TOKEN"
    fault "$2"
    echo "$(date +%T.%N) start"
    start_cron "$(fault_config)"
    wait_until 60 created_at_least "${3:-3}"
    [ -z "${4:-}" ] || wait_until 60 "$4"
    echo "$(date +%T.%N) created"
    clear_faults
    settle 60
    echo "$(date +%T.%N) settled"
    echo "$(date +%T.%N) stopping"
    PEAK_KIB=$(awk '/^VmHWM/ {print $2}' "/proc/$CRON_PID/status")
    stop_cron
    echo "$(date +%T.%N) stopped"
    assert_nothing_lost "$1"
    echo "$(date +%T.%N) checked"
}

@test "backend refusing connections, then back: the spooled batches are delivered" {
    run_outage refused '{"mode":"refuse"}'
    [ "$(ledger_value 'd["accepted"]')" -ge 3 ]
    grep -q 'WARN' "$LOG"
}

@test "blackholed backend (requests never answered): cut by the timeout, retried, nothing lost" {
    run_outage blackholed '{"mode":"hang","count":-1,"path":"/api/v1/metrics/push"}' 4
    [[ " $(push_statuses) " == *" none "* ]]
}

@test "slow trickle answers: delivered or cut by the timeout and retried" {
    run_outage slow_trickle '{"mode":"slow","interval":0.3,"chunk":1,"count":3,"path":"/api/v1/metrics/push"}'
}

@test "bursts of 500, 502, 503, 504 and 408 are retried until accepted" {
    local p='"path":"/api/v1/metrics/push"'
    all_bursts_answered() {
        local seen
        seen=" $(push_statuses) "
        for s in 500 502 503 504 408; do [[ $seen == *" $s "* ]] || return 1; done
    }
    run_outage 5xx_bursts "[{\"mode\":\"status\",\"status\":500,\"count\":2,$p},{\"mode\":\"status\",\"status\":502,\"count\":2,$p},
        {\"mode\":\"status\",\"status\":503,\"count\":2,$p},{\"mode\":\"status\",\"status\":504,\"count\":2,$p},
        {\"mode\":\"status\",\"status\":408,\"count\":1,$p}]" 3 all_bursts_answered
    statuses=$(push_statuses)
    for s in 500 502 503 504 408; do [[ " $statuses " == *" $s "* ]]; done
    [ "$(ledger_value 'd["dropped_total"]')" -eq 0 ]
}

# pushes_after_429 FIELD: FIELD of the first push request after the first 429 (backend's log).
push_after_429() {
    json_get "$(backend_control GET '/_test/requests?limit=2000')" "[b[\"$1\"] for a, b in zip(
    [r for r in d[\"requests\"] if r[\"path\"] == \"/api/v1/metrics/push\"],
    [r for r in d[\"requests\"] if r[\"path\"] == \"/api/v1/metrics/push\"][1:]) if a.get(\"status\") == 429][0]"
}

# seconds_after_429: the gap between the first 429 and the next push.
seconds_after_429() {
    json_get "$(backend_control GET '/_test/requests?limit=2000')" '
[round(b["time"] - a["time"], 2) for a, b in zip(
    [r for r in d["requests"] if r["path"] == "/api/v1/metrics/push"],
    [r for r in d["requests"] if r["path"] == "/api/v1/metrics/push"][1:]) if a.get("status") == 429][0]'
}

@test "429 with Retry-After in seconds is honoured" {
    run_outage retry_after_seconds '{"mode":"status","status":429,"retry_after":"3","count":1,"path":"/api/v1/metrics/push"}' 2
    gap=$(seconds_after_429)
    echo "gap after 429: $gap s"
    python3 -c "import sys; sys.exit(0 if 2.8 <= $gap < 8 else 1)"
}

@test "429 with Retry-After as an HTTP date is honoured" {
    until_epoch=$(($(date +%s) + 8))
    date=$(python3 -c "import email.utils; print(email.utils.formatdate($until_epoch, usegmt=True))")
    run_outage retry_after_date "{\"mode\":\"status\",\"status\":429,\"retry_after\":\"$date\",\"count\":1,\"path\":\"/api/v1/metrics/push\"}" 2
    next=$(push_after_429 time)
    echo "Retry-After: $date; next push at $next"
    python3 -c "import sys; sys.exit(0 if $until_epoch - 1 <= $next < $until_epoch + 5 else 1)"
}

@test "429 with a garbage Retry-After falls back to the backoff" {
    run_outage retry_after_garbage '{"mode":"status","status":429,"retry_after":"soon, maybe","count":2,"path":"/api/v1/metrics/push"}' 2
    gap=$(seconds_after_429)
    echo "gap after 429: $gap s"
    python3 -c "import sys; sys.exit(0 if $gap < 2.5 else 1)"
}

@test "400, 422 and 413 are set aside without retry, and counted" {
    backend_start --static-token "$FAULT_TOKEN"
    fault '[{"mode":"status","status":400,"count":1,"path":"/api/v1/metrics/push"},
        {"mode":"status","status":422,"count":1,"path":"/api/v1/metrics/push"},
        {"mode":"status","status":413,"count":-1,"path":"/api/v1/metrics/push"}]'
    start_cron "$(fault_config)"
    wait_until 60 created_at_least 4
    clear_faults
    settle 60
    stop_cron
    assert_nothing_lost rejected_4xx
    [ "$(ledger_value 'd["dropped"].get("rejected", 0)')" -eq 2 ]
    [ "$(ledger_value 'd["dropped"].get("too_large", 0)')" -ge 1 ]
    # no rejected batch was sent twice: every 400/422 answer went to a different batch id
    ids=$(json_get "$(backend_control GET '/_test/requests?limit=2000')" \
        '" ".join(str(r["status"]) for r in d["requests"] if r.get("status") in (400, 422))')
    echo "rejected: $ids"
    [ "$(echo "$ids" | wc -w)" -eq 2 ]
}

@test "401 pauses sending and keeps spooling; the batches go once the backend accepts the token again" {
    run_outage unauthorized_401 '{"mode":"status","status":401,"count":3,"path":"/api/v1/metrics/push"}' 3
    [ "$(ledger_value 'd["dropped_total"]')" -eq 0 ]
    grep -Eqi 'auth|401|token' "$LOG"
}

@test "403 pauses sending and keeps spooling; the batches go once it is lifted" {
    run_outage forbidden_403 '{"mode":"status","status":403,"count":3,"path":"/api/v1/metrics/push"}' 3
    [ "$(ledger_value 'd["dropped_total"]')" -eq 0 ]
}

@test "a connection reset mid-upload is retried" {
    run_outage reset_mid_upload '{"mode":"reset","count":3,"path":"/api/v1/metrics/push"}'
    [ "$(ledger_value 'd["dropped_total"]')" -eq 0 ]
}

@test "commit then drop: the batch is sent again and the backend sees a duplicate, not a loss" {
    run_outage commit_then_drop '{"mode":"commit_then_drop","count":2,"path":"/api/v1/metrics/push"}' 2
    [ "$(ledger_value 'd["duplicates"]')" -ge 1 ]
}

@test "garbage and huge 2xx answers: the size is capped and nothing is lost" {
    run_outage garbage_and_huge '[{"mode":"garbage","commit":true,"count":1,"path":"/api/v1/metrics/push"},
        {"mode":"huge","bytes":52428800,"commit":true,"count":1,"path":"/api/v1/metrics/push"},
        {"mode":"huge","bytes":52428800,"chunked":true,"commit":true,"count":1,"path":"/api/v1/metrics/push"}]' 3
    echo "collector peak RSS through two 50 MiB answers: $PEAK_KIB KiB"
    [ "$PEAK_KIB" -gt 0 ] && [ "$PEAK_KIB" -lt 65536 ]
}

@test "redirects are not followed: the target never sees the batch or the token" {
    # a second backend is the redirect target; it must see no request at all
    local port_file="$BATS_TEST_TMPDIR/target.json"
    /usr/bin/python3 "$PGA_SRC/tests/backend/pga_test_backend.py" --port-file "$port_file" \
        --static-token "$FAULT_TOKEN" --exit-with-pid "$BASHPID" 3>&- &
    target_pid=$!
    wait_until 15 test -s "$port_file"
    target_port=$(json_get "$(cat "$port_file")" 'd["port"]')
    target_control="http://127.0.0.1:$(json_get "$(cat "$port_file")" 'd["control_port"]')"
    run_outage redirects "[{\"mode\":\"redirect\",\"status\":307,\"location\":\"http://127.0.0.1:$target_port/api/v1/metrics/push\",\"count\":2},
        {\"mode\":\"redirect\",\"status\":302,\"location\":\"http://127.0.0.1:$target_port/api/v1/metrics/push\",\"count\":2}]" 2
    seen=$(json_get "$(curl -sS "$target_control/_test/ledger?summary=1")" 'd["requests_total"]')
    kill "$target_pid"
    [ "$seen" -eq 0 ]
}

# tls_refused NAME CERT_PREFIX [CA]: an HTTPS backend with that certificate is never sent a
# request (no token leaves), the batches wait in the spool.
tls_refused() {
    certs="$BATS_FILE_TMPDIR/certs"
    "$PGA_SRC/tests/backend/make_test_certs.sh" "$certs" >/dev/null
    backend_start --static-token "$FAULT_TOKEN" --tls-cert "$certs/$2.crt" --tls-key "$certs/$2.key"
    start_cron "$(fault_config "${3:+[tls]
ca_file = \"$certs/$3\"}")"
    wait_until 60 created_at_least 3
    sleep 1
    stop_cron
    summary=$(backend_control GET '/_test/ledger?summary=1')
    [ "$(json_get "$summary" 'd["requests_total"]')" -eq 0 ]
    assert_nothing_lost "$1"
    [ "$(ledger_value 'd["backlog"]')" -eq "$(ledger_value 'd["created"]')" ]
    grep -qi 'certificate\|SSL\|TLS' "$LOG"
}

@test "a certificate from an untrusted CA is refused before the token is sent" {
    tls_refused tls_untrusted untrusted-server
}

@test "a certificate for another name is refused before the token is sent" {
    tls_refused tls_wrong_name wrong-name ca.crt
}

@test "an expired certificate is refused before the token is sent" {
    tls_refused tls_expired expired ca.crt
}
