#!/usr/bin/env bats
# Self-test of the scriptable test backend (pga_test_backend.py) with curl.
# Every test starts its own backend on ephemeral loopback ports in its temp dir; teardown stops it.

PY=/usr/bin/python3
SECRET=selftest-registration-secret
TS=2026-02-26T10:00:00Z

setup_file() {
    export CERTS="$BATS_FILE_TMPDIR/certs"
    "$BATS_TEST_DIRNAME/make_test_certs.sh" "$CERTS" >/dev/null
}

setup() {
    BACKEND_PID=""
}

teardown() {
    stop_backend
}

# ---------------------------------------------------------------- helpers

# json_get EXPR: evaluate a Python expression over the JSON on stdin (bound to d); strings raw.
json_get() {
    "$PY" -c 'import json, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1], {"d": d, "len": len, "sorted": sorted})
print(v if isinstance(v, str) else json.dumps(v))' "$1"
}

start_backend() {
    PORT_FILE="$BATS_TEST_TMPDIR/port.json"
    rm -f "$PORT_FILE"
    "$PY" "$BATS_TEST_DIRNAME/pga_test_backend.py" --port-file "$PORT_FILE" \
        --registration-secret "$SECRET" --log "$BATS_TEST_TMPDIR/backend.log" --exit-with-pid "$$" "$@" \
        >"$BATS_TEST_TMPDIR/backend.out" 2>&1 3>&- &
    BACKEND_PID=$!
    local _
    for _ in $(seq 100); do
        [ -s "$PORT_FILE" ] && break
        if ! kill -0 "$BACKEND_PID" 2>/dev/null; then
            cat "$BATS_TEST_TMPDIR/backend.out" >&2
            return 1
        fi
        sleep 0.1
    done
    [ -s "$PORT_FILE" ] || { echo "backend did not write its port file" >&2; return 1; }
    PORT=$(json_get 'd["port"]' <"$PORT_FILE")
    CONTROL_PORT=$(json_get 'd["control_port"]' <"$PORT_FILE")
    SCHEME=$(json_get 'd["scheme"]' <"$PORT_FILE")
    BASE="$SCHEME://127.0.0.1:$PORT"
    CTL="http://127.0.0.1:$CONTROL_PORT"
}

stop_backend() {
    [ -n "${BACKEND_PID:-}" ] || return 0
    kill -TERM "$BACKEND_PID" 2>/dev/null || true
    local _
    for _ in $(seq 50); do
        kill -0 "$BACKEND_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$BACKEND_PID" 2>/dev/null || true
    wait "$BACKEND_PID" 2>/dev/null || true
    BACKEND_PID=""
}

ctl_get() {
    curl -sS --fail "$CTL$1"
}

ctl_post() {
    local body=${2:-'{}'}
    curl -sS --fail -X POST -H 'Content-Type: application/json' -d "$body" "$CTL$1"
}

fault() {
    ctl_post /_test/fault "$1" >/dev/null
}

ledger() {
    ctl_get '/_test/ledger' | json_get "$1"
}

mint() { # collector_id [ttl]
    ctl_get "/_test/mint-token?collector_id=$1${2:+&ttl=$2}" | json_get 'd["token"]'
}

register() { # [secret] -> response body in $BATS_TEST_TMPDIR/resp, prints the status code
    curl -sS -o "$BATS_TEST_TMPDIR/resp" -w '%{http_code}' -X POST \
        -H "X-Registration-Secret: ${1:-$SECRET}" -H 'Content-Type: application/json' \
        -d '{"name":"selftest","hostname":"db1","version":"1.0"}' "$BASE/api/v1/collectors/register"
}

push_body() { # collector_id batch_id [sequence]
    printf '{"collector_id":"%s","hostname":"db1","timestamp":"%s","version":"test","batch_id":"%s","sequence":%s,"metrics_count":2,"metrics":[{"type":"pg_query_stats","timestamp":"%s","database":"postgres","queries":[{"hash":1,"calls":3},{"hash":2,"calls":1}]},{"type":"sysstat","cpu_user":1.5}]}' \
        "$1" "$TS" "$2" "${3:-1}" "$TS"
}

push() { # token body [curl args...] -> response body in $BATS_TEST_TMPDIR/resp, prints the status
    local token=$1 body=$2
    shift 2
    curl -sS -o "$BATS_TEST_TMPDIR/resp" -w '%{http_code}' -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' --data-binary "$body" "$@" "$BASE/api/v1/metrics/push"
}

resp() {
    json_get "$1" <"$BATS_TEST_TMPDIR/resp"
}

jwt_payload() {
    "$PY" -c 'import base64, sys
p = sys.argv[1].split(".")[1]
print(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())' "$1"
}

# ---------------------------------------------------------------- API contract

@test "health answers 200 ok, and 503 degraded when switched by control" {
    start_backend
    run curl -sS -w ' %{http_code}' "$BASE/api/v1/health"
    [ "$status" -eq 0 ]
    [[ "$output" == *'"status":"ok"'* ]]
    [[ "$output" == *'"database_ok":true'* ]]
    [[ "$output" == *" 200" ]]
    ctl_post /_test/health '{"status":"degraded"}'
    run curl -sS -w ' %{http_code}' "$BASE/api/v1/health"
    [[ "$output" == *'"status":"degraded"'* ]]
    [[ "$output" == *" 503" ]]
}

@test "port file holds port, control_port and scheme" {
    start_backend
    [ "$SCHEME" = http ]
    [ "$PORT" -gt 0 ]
    [ "$CONTROL_PORT" -gt 0 ]
    [ "$PORT" != "$CONTROL_PORT" ]
}

@test "register: wrong or missing secret is 401 with an error body" {
    start_backend
    [ "$(register wrong-secret)" = 401 ]
    [ "$(resp 'd["code"]')" = 401 ]
    [ "$(resp 'sorted(d)')" = '["code", "details", "message"]' ]
    run curl -sS -o /dev/null -w '%{http_code}' -X POST -d '{"name":"a","hostname":"b"}' \
        "$BASE/api/v1/collectors/register"
    [ "$output" = 401 ]
    [ "$(ledger 'd["register_count"]')" = 0 ]
}

@test "register: bad JSON or missing hostname is 400" {
    start_backend
    run curl -sS -o /dev/null -w '%{http_code}' -X POST -H "X-Registration-Secret: $SECRET" \
        -d '{"name":' "$BASE/api/v1/collectors/register"
    [ "$output" = 400 ]
    run curl -sS -o /dev/null -w '%{http_code}' -X POST -H "X-Registration-Secret: $SECRET" \
        -d '{"name":"a"}' "$BASE/api/v1/collectors/register"
    [ "$output" = 400 ]
}

@test "register: returns a JWT with the contract's claims, PEMs and a new id each time" {
    start_backend
    [ "$(register)" = 200 ]
    id=$(resp 'd["collector_id"]')
    token=$(resp 'd["token"]')
    [[ "$(resp 'd["certificate"]')" == "-----BEGIN CERTIFICATE-----"* ]]
    [[ "$(resp 'd["private_key"]')" == *"PRIVATE KEY-----"* ]]
    [[ "$(resp 'd["expires_at"]')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]
    [[ "$id" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
    payload=$(jwt_payload "$token")
    [ "$(json_get 'd["collector_id"]' <<<"$payload")" = "$id" ]
    [ "$(json_get 'd["hostname"]' <<<"$payload")" = db1 ]
    [ "$(json_get 'd["type"]' <<<"$payload")" = access ]
    [ "$(json_get 'd["sub"]' <<<"$payload")" = "collector:$id" ]
    [ "$(json_get 'd["exp"] - d["iat"]' <<<"$payload")" = 1800 ]
    [ "$(json_get 'd["nbf"] == d["iat"]' <<<"$payload")" = true ]
    header=$("$PY" -c 'import base64,sys; h=sys.argv[1].split(".")[0]; print(base64.urlsafe_b64decode(h+"="*(-len(h)%4)).decode())' "$token")
    [ "$(json_get 'd["alg"]' <<<"$header")" = HS256 ]
    [ "$(register)" = 200 ]
    [ "$(resp 'd["collector_id"]')" != "$id" ]
    [ "$(ledger 'd["register_count"]')" = 2 ]
}

@test "push: accepted push answers the contract and lands in the ledger" {
    start_backend
    [ "$(register)" = 200 ]
    id=$(resp 'd["collector_id"]')
    token=$(resp 'd["token"]')
    [ "$(push "$token" "$(push_body "$id" batch-1 7)")" = 200 ]
    [ "$(resp 'd["status"]')" = success ]
    [ "$(resp 'd["collector_id"]')" = "$id" ]
    [ "$(resp 'd["metrics_inserted"]')" = 2 ]
    [ "$(resp 'd["next_check_in_seconds"]')" = 300 ]
    [ "$(resp 'sorted(d)')" = '["bytes_received", "collector_id", "metrics_inserted", "next_check_in_seconds", "next_config_version", "processing_time_ms", "status"]' ]
    [ "$(ledger 'd["accepted_count"]')" = 1 ]
    [ "$(ledger 'd["accepted"][0]["batch_id"]')" = batch-1 ]
    [ "$(ledger 'd["accepted"][0]["sequence"]')" = 7 ]
    [ "$(ledger 'd["accepted"][0]["metrics_count"]')" = 2 ]
    [ "$(ledger 'd["accepted"][0]["metrics_len"]')" = 2 ]
    [ "$(ledger 'd["accepted"][0]["types"]')" = '{"pg_query_stats": 1, "sysstat": 1}' ]
    [ "$(ledger 'd["accepted"][0]["response"]')" = sent ]
    [ "$(ledger 'd["status_by_path"]["/api/v1/metrics/push"]["200"]')" = 1 ]
    [ "$(ctl_get '/_test/bodies?limit=1' | json_get 'd["bodies"][0]["body"]["batch_id"]')" = batch-1 ]
}

@test "push: the same batch_id accepted twice counts as a duplicate" {
    start_backend
    token=$(mint c1)
    [ "$(push "$token" "$(push_body c1 b1 1)")" = 200 ]
    [ "$(push "$token" "$(push_body c1 b2 2)")" = 200 ]
    [ "$(push "$token" "$(push_body c1 b1 1)")" = 200 ]
    [ "$(ledger 'd["accepted_count"]')" = 3 ]
    [ "$(ledger 'd["unique_batch_ids"]')" = 2 ]
    [ "$(ledger 'd["duplicates"]')" = 1 ]
    [ "$(ledger 'd["duplicate_batch_ids"]')" = '["b1"]' ]
}

@test "push: collector_id mismatch is 401 'Collector ID mismatch'" {
    start_backend
    token=$(mint c1)
    [ "$(push "$token" "$(push_body other b1)")" = 401 ]
    [ "$(resp 'd["message"]')" = "Collector ID mismatch" ]
    [ "$(ledger 'd["accepted_count"]')" = 0 ]
}

@test "push: missing timestamp, bad JSON are 400; missing token 401; non-string type 500" {
    start_backend
    token=$(mint c1)
    [ "$(push "$token" '{"collector_id":"c1","hostname":"db1","metrics":[]}')" = 400 ]
    [ "$(resp 'd["code"]')" = 400 ]
    [ "$(push "$token" '{"collector_id":"c1",')" = 400 ]
    [ "$(push "$token" '{"collector_id":"c1","timestamp":"'$TS'","metrics":[]}')" = 400 ]
    [ "$(push "$token" '{"collector_id":"c1","hostname":"h","timestamp":"yesterday"}')" = 400 ]
    run curl -sS -o /dev/null -w '%{http_code}' -d "$(push_body c1 b1)" "$BASE/api/v1/metrics/push"
    [ "$output" = 401 ]
    [ "$(push not.a.jwt "$(push_body c1 b1)")" = 401 ]
    [ "$(push "$token" '{"collector_id":"c1","hostname":"h","timestamp":"'$TS'","metrics":[{"type":5}]}')" = 500 ]
    [ "$(ledger 'd["accepted_count"]')" = 0 ]
}

@test "push: gzip body is 400 by default and accepted with --accept-gzip" {
    start_backend
    token=$(mint c1)
    push_body c1 gz1 | gzip -c >"$BATS_TEST_TMPDIR/body.gz"
    [ "$(push "$token" "@$BATS_TEST_TMPDIR/body.gz" -H 'Content-Encoding: gzip')" = 400 ]
    stop_backend
    start_backend --accept-gzip
    token=$(mint c1)
    [ "$(push "$token" "@$BATS_TEST_TMPDIR/body.gz" -H 'Content-Encoding: gzip')" = 200 ]
    [ "$(ledger 'd["accepted"][0]["content_encoding"]')" = gzip ]
    [ "$(ledger 'd["accepted"][0]["batch_id"]')" = gz1 ]
}

@test "tokens: an expired token (token-ttl 1) is 401 for push and refresh" {
    start_backend
    ctl_post /_test/token-ttl '{"seconds":1}'
    [ "$(register)" = 200 ]
    id=$(resp 'd["collector_id"]')
    token=$(resp 'd["token"]')
    [ "$(json_get 'd["exp"] - d["iat"]' <<<"$(jwt_payload "$token")")" = 1 ]
    sleep 2.2
    [ "$(push "$token" "$(push_body "$id" b1)")" = 401 ]
    run curl -sS -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
        "$BASE/api/v1/collectors/refresh-token"
    [ "$output" = 401 ]
    [ "$(ledger 'd["refresh_count"]')" = 0 ]
}

@test "tokens: refresh with a valid token returns a new working token" {
    start_backend --token-ttl 60
    [ "$(register)" = 200 ]
    id=$(resp 'd["collector_id"]')
    token=$(resp 'd["token"]')
    run curl -sS -o "$BATS_TEST_TMPDIR/resp" -w '%{http_code}' -X POST \
        -H "Authorization: Bearer $token" "$BASE/api/v1/collectors/refresh-token"
    [ "$output" = 200 ]
    new=$(resp 'd["token"]')
    [ -n "$(resp 'd["expires_at"]')" ]
    [ "$new" != "$token" ]
    [ "$(json_get 'd["collector_id"]' <<<"$(jwt_payload "$new")")" = "$id" ]
    [ "$(push "$new" "$(push_body "$id" b1)")" = 200 ]
    [ "$(ledger 'd["refresh_count"]')" = 1 ]
    run curl -sS -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer junk" \
        "$BASE/api/v1/collectors/refresh-token"
    [ "$output" = 401 ]
}

@test "tokens: static token works for push but cannot be refreshed" {
    start_backend --static-token static-abc --static-collector-id c-static
    [ "$(push static-abc "$(push_body c-static s1)")" = 200 ]
    [ "$(push static-abc "$(push_body other s2)")" = 401 ]
    run curl -sS -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer static-abc" \
        "$BASE/api/v1/collectors/refresh-token"
    [ "$output" = 401 ]
}

@test "config pull: 401 with a collector token by default, 200 + X-Config-Version when allowed" {
    printf '[collector]\ninterval = 60\n' >"$BATS_TEST_TMPDIR/c.toml"
    start_backend --config-toml "$BATS_TEST_TMPDIR/c.toml"
    token=$(mint c1)
    run curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$BASE/api/v1/config/c1"
    [ "$output" = 401 ]
    stop_backend
    start_backend --config-toml "$BATS_TEST_TMPDIR/c.toml" --config-allow-collector
    token=$(mint c1)
    run curl -sS -i -H "Authorization: Bearer $token" "$BASE/api/v1/config/c1"
    [[ "$output" == *"HTTP/1.1 200"* ]]
    [[ "$output" == *"X-Config-Version: 1"* ]]
    [[ "$output" == *"interval = 60"* ]]
    printf '[collector]\ninterval = 30\n' >"$BATS_TEST_TMPDIR/c.toml"
    run curl -sS -i -H "Authorization: Bearer $token" "$BASE/api/v1/config/c1"
    [[ "$output" == *"X-Config-Version: 2"* ]]
}

@test "request log: keeps headers but never the Authorization value or the secret" {
    start_backend
    token=$(mint c1)
    [ "$(push "$token" "$(push_body c1 b1)")" = 200 ]
    [ "$(register)" = 200 ]
    log=$(ctl_get /_test/requests)
    [[ "$log" != *"$token"* ]]
    [[ "$log" != *"$SECRET"* ]]
    [ "$(json_get 'd["requests"][0]["authorization"]' <<<"$log")" = true ]
    [ "$(json_get 'd["requests"][0]["status"]' <<<"$log")" = 200 ]
    [ "$(json_get 'd["requests"][0]["headers"]["Content-Type"]' <<<"$log")" = application/json ]
    [ "$(json_get 'd["requests"][1]["authorization"]' <<<"$log")" = false ]
}

@test "keep-alive: two requests in one curl run share one connection" {
    start_backend
    run curl -sS -o /dev/null -o /dev/null "$BASE/api/v1/health" "$BASE/api/v1/health"
    [ "$status" -eq 0 ]
    log=$(ctl_get /_test/requests)
    [ "$(json_get 'd["requests"][0]["conn"] == d["requests"][1]["conn"]' <<<"$log")" = true ]
    [ "$(json_get 'd["requests"][1]["conn_request"]' <<<"$log")" = 2 ]
}

# ---------------------------------------------------------------- faults

@test "fault refuse: connects fail with curl exit 7 until cleared, then the same port answers" {
    start_backend
    fault '{"mode":"refuse"}'
    run curl -sS -m 5 "$BASE/api/v1/health"
    [ "$status" -eq 7 ]
    [ "$(ctl_get /_test/status | json_get 'd["listening"]')" = false ]
    ctl_post /_test/clear
    run curl -sS -m 5 -o /dev/null -w '%{http_code}' "$BASE/api/v1/health"
    [ "$status" -eq 0 ]
    [ "$output" = 200 ]
}

@test "fault refuse with seconds reopens by itself" {
    start_backend
    fault '{"mode":"refuse","seconds":1}'
    run curl -sS -m 5 "$BASE/api/v1/health"
    [ "$status" -eq 7 ]
    sleep 1.5
    run curl -sS -m 5 -o /dev/null -w '%{http_code}' "$BASE/api/v1/health"
    [ "$output" = 200 ]
}

@test "fault status 429 shows Retry-After, honours count and path, then normal service" {
    start_backend
    token=$(mint c1)
    fault '{"mode":"status","status":429,"retry_after":"7","count":2,"path":"/api/v1/metrics/push"}'
    run curl -sS -i -m 5 "$BASE/api/v1/health"
    [[ "$output" == *"HTTP/1.1 200"* ]]
    run curl -sS -i -m 5 -H "Authorization: Bearer $token" -d "$(push_body c1 b1)" "$BASE/api/v1/metrics/push"
    [[ "$output" == *"HTTP/1.1 429"* ]]
    [[ "$output" == *"Retry-After: 7"* ]]
    [ "$(push "$token" "$(push_body c1 b1)")" = 429 ]
    [ "$(push "$token" "$(push_body c1 b1)")" = 200 ]
    [ "$(ledger 'd["accepted_count"]')" = 1 ]
    [ "$(ledger 'd["status_by_path"]["/api/v1/metrics/push"]["429"]')" = 2 ]
}

@test "fault status with commit records the batch, then answers 503" {
    start_backend
    token=$(mint c1)
    fault '{"mode":"status","status":503,"commit":true}'
    [ "$(push "$token" "$(push_body c1 b1)")" = 503 ]
    [ "$(ledger 'd["accepted_count"]')" = 1 ]
    [ "$(ledger 'd["accepted"][0]["response"]')" = replaced ]
}

@test "fault reset: connection reset mid-upload, nothing accepted" {
    start_backend
    token=$(mint c1)
    fault '{"mode":"reset","path":"/api/v1/metrics/push"}'
    run push "$token" "$(push_body c1 b1)" -m 5
    [ "$status" -eq 56 ] || [ "$status" -eq 55 ] || [ "$status" -eq 52 ]
    [ "$(ledger 'd["accepted_count"]')" = 0 ]
    [ "$(ledger 'd["no_response"]')" = 1 ]
    [ "$(push "$token" "$(push_body c1 b1)")" = 200 ]
}

@test "fault commit_then_drop: batch in the ledger, curl gets an empty reply" {
    start_backend
    token=$(mint c1)
    fault '{"mode":"commit_then_drop","path":"/api/v1/metrics/push"}'
    run push "$token" "$(push_body c1 b1)" -m 5
    [ "$status" -eq 52 ]
    [ "$(ledger 'd["accepted_count"]')" = 1 ]
    [ "$(ledger 'd["accepted"][0]["batch_id"]')" = b1 ]
    [ "$(ledger 'd["accepted"][0]["response"]')" = dropped ]
    [ "$(ledger 'd["no_response"]')" = 1 ]
    [ "$(push "$token" "$(push_body c1 b1)")" = 200 ]
    [ "$(ledger 'd["duplicates"]')" = 1 ]
}

@test "fault hang: no answer (curl times out), clear releases, nothing accepted" {
    start_backend
    token=$(mint c1)
    fault '{"mode":"hang","seconds":60}'
    run push "$token" "$(push_body c1 b1)" -m 1
    [ "$status" -eq 28 ]
    [ "$(ledger 'd["accepted_count"]')" = 0 ]
    fault '{"mode":"hang","seconds":60}'
    (sleep 0.5 && ctl_post /_test/clear >/dev/null) 3>&- &
    run curl -sS -m 10 "$BASE/api/v1/health"
    [ "$status" -eq 52 ]
}

@test "fault slow: the answer trickles in but is complete, and the batch is committed" {
    start_backend
    token=$(mint c1)
    fault '{"mode":"slow","interval":0.002}'
    run curl -sS -m 20 -o "$BATS_TEST_TMPDIR/resp" -w '%{time_total}' -H "Authorization: Bearer $token" \
        -d "$(push_body c1 b1)" "$BASE/api/v1/metrics/push"
    [ "$status" -eq 0 ]
    [ "$(resp 'd["status"]')" = success ]
    "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 0.4 else 1)' "$output"
    [ "$(ledger 'd["accepted"][0]["response"]')" = sent_slowly ]
}

@test "fault delay: normal answer after the delay" {
    start_backend
    fault '{"mode":"delay","seconds":1}'
    run curl -sS -m 10 -o /dev/null -w '%{http_code} %{time_total}' "$BASE/api/v1/health"
    [ "${output%% *}" = 200 ]
    "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 0.9 else 1)' "${output#* }"
}

@test "fault garbage: 200 with a body that is not JSON" {
    start_backend
    fault '{"mode":"garbage"}'
    run curl -sS -m 5 -o "$BATS_TEST_TMPDIR/resp" -w '%{http_code}' "$BASE/api/v1/health"
    [ "$output" = 200 ]
    run "$PY" -c 'import json, sys; json.load(open(sys.argv[1]))' "$BATS_TEST_TMPDIR/resp"
    [ "$status" -ne 0 ]
}

@test "fault huge: 50 MB by default, streamed; chunked variant without Content-Length" {
    start_backend
    fault '{"mode":"huge"}'
    run curl -sS -m 60 -o /dev/null -w '%{http_code} %{size_download}' "$BASE/api/v1/health"
    [ "$output" = "200 52428800" ]
    fault '{"mode":"huge","bytes":300000,"chunked":true}'
    run curl -sS -m 60 -D "$BATS_TEST_TMPDIR/headers" -o /dev/null -w '%{size_download}' "$BASE/api/v1/health"
    [ "$output" = 300000 ]
    grep -qi '^Transfer-Encoding: chunked' "$BATS_TEST_TMPDIR/headers"
}

@test "fault redirect: 302 with Location, not followed by default" {
    start_backend
    fault '{"mode":"redirect","location":"http://127.0.0.1:9/elsewhere"}'
    run curl -sS -m 5 -D "$BATS_TEST_TMPDIR/headers" -o /dev/null -w '%{http_code}' "$BASE/api/v1/health"
    [ "$output" = 302 ]
    grep -q '^Location: http://127.0.0.1:9/elsewhere' "$BATS_TEST_TMPDIR/headers"
}

@test "fault expire_tokens: issued tokens become 401, new ones work" {
    start_backend
    token=$(mint c1)
    [ "$(push "$token" "$(push_body c1 b1)")" = 200 ]
    fault '{"mode":"expire_tokens"}'
    [ "$(push "$token" "$(push_body c1 b2)")" = 401 ]
    [ "$(resp 'd["details"]')" = "token is expired" ]
    [ "$(push "$(mint c1)" "$(push_body c1 b2)")" = 200 ]
}

@test "control: bad fault scripts are 400, faults list, reset empties the ledger" {
    start_backend
    run curl -sS -o /dev/null -w '%{http_code}' -X POST -d '{"mode":"explode"}' "$CTL/_test/fault"
    [ "$output" = 400 ]
    run curl -sS -o /dev/null -w '%{http_code}' -X POST -d '{"mode":"status"}' "$CTL/_test/fault"
    [ "$output" = 400 ]
    run curl -sS -o /dev/null -w '%{http_code}' -X POST -d 'not json' "$CTL/_test/fault"
    [ "$output" = 400 ]
    fault '[{"mode":"status","status":500,"count":-1,"path":"/api/v1/metrics"},{"mode":"garbage"}]'
    [ "$(ctl_get /_test/faults | json_get 'len(d["faults"])')" = 2 ]
    token=$(mint c1)
    [ "$(push "$token" "$(push_body c1 b1)")" = 500 ]
    [ "$(push "$token" "$(push_body c1 b1)")" = 500 ]
    ctl_post /_test/reset
    [ "$(ctl_get /_test/faults | json_get 'len(d["faults"])')" = 0 ]
    [ "$(ledger 'd["requests_total"]')" = 0 ]
    [ "$(push "$token" "$(push_body c1 b1)")" = 200 ]
}

@test "robustness: junk on both ports does not kill the backend" {
    start_backend
    "$PY" - "$PORT" "$CONTROL_PORT" <<'EOF'
import socket, sys
junk = [b"\x00\xff garbage\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"POST /api/v1/metrics/push HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"POST /api/v1/metrics/push HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", b"POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\nshort",
        b"A" * 70000 + b"\r\n", b""]
for port in sys.argv[1:]:
    for payload in junk:
        s = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
        try:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            s.recv(65536)
        except OSError:
            pass
        s.close()
EOF
    run curl -sS -o /dev/null -w '%{http_code}' -X POST -d '[[[[' "$CTL/_test/fault"
    [ "$output" = 400 ]
    run curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer x' \
        -d "$("$PY" -c 'print("[" * 100000)')" "$BASE/api/v1/metrics/push"
    [ "$output" = 401 ]
    token=$(mint c1)
    [ "$(push "$token" "$("$PY" -c 'print("[" * 100000)')")" = 400 ]
    run curl -sS -o /dev/null -w '%{http_code}' "$BASE/api/v1/health"
    [ "$output" = 200 ]
    kill -0 "$BACKEND_PID"
}

@test "lifecycle: SIGTERM exits 0 and removes the port file" {
    start_backend
    kill -TERM "$BACKEND_PID"
    rc=0
    wait "$BACKEND_PID" || rc=$?
    BACKEND_PID=""
    [ "$rc" -eq 0 ]
    [ ! -e "$PORT_FILE" ]
}

# ---------------------------------------------------------------- TLS

@test "https: works with the test CA, fails without it and below TLS 1.2" {
    start_backend --tls-cert "$CERTS/server.crt" --tls-key "$CERTS/server.key"
    [ "$SCHEME" = https ]
    run curl -sS -m 5 -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.crt" "$BASE/api/v1/health"
    [ "$output" = 200 ]
    run curl -sS -m 5 -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.crt" "https://localhost:$PORT/api/v1/health"
    [ "$output" = 200 ]
    run curl -sS -m 5 -o /dev/null "$BASE/api/v1/health"
    [ "$status" -eq 60 ]
    run curl -sS -m 5 -o /dev/null --cacert "$CERTS/untrusted-ca.crt" "$BASE/api/v1/health"
    [ "$status" -eq 60 ]
    run curl -sS -m 5 -o /dev/null --cacert "$CERTS/ca.crt" --tlsv1.0 --tls-max 1.1 "$BASE/api/v1/health"
    [ "$status" -ne 0 ]
    [ "$(ledger 'd["tls_handshake_failures"]')" -ge 3 ]
}

@test "https: wrong-name and expired server certificates are rejected by curl" {
    start_backend --tls-cert "$CERTS/wrong-name.crt" --tls-key "$CERTS/wrong-name.key"
    run curl -sS -m 5 -o /dev/null --cacert "$CERTS/ca.crt" "$BASE/api/v1/health"
    [ "$status" -eq 60 ]
    [[ "$output" == *"wrong.example"* || "$output" == *"subject"* ]]
    stop_backend
    start_backend --tls-cert "$CERTS/expired.crt" --tls-key "$CERTS/expired.key"
    run curl -sS -m 5 -o /dev/null --cacert "$CERTS/ca.crt" "$BASE/api/v1/health"
    [ "$status" -eq 60 ]
    [[ "$output" == *"expired"* ]]
    stop_backend
    start_backend --tls-cert "$CERTS/untrusted-server.crt" --tls-key "$CERTS/untrusted-server.key"
    run curl -sS -m 5 -o /dev/null --cacert "$CERTS/ca.crt" "$BASE/api/v1/health"
    [ "$status" -eq 60 ]
}

@test "mtls: a client certificate from the test CA is required" {
    start_backend --tls-cert "$CERTS/server.crt" --tls-key "$CERTS/server.key" --client-ca "$CERTS/ca.crt"
    run curl -sS -m 5 -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.crt" "$BASE/api/v1/health"
    [ "$status" -ne 0 ]
    [ "$output" != 200 ]
    run curl -sS -m 5 -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.crt" \
        --cert "$CERTS/untrusted-client.crt" --key "$CERTS/untrusted-client.key" "$BASE/api/v1/health"
    [ "$status" -ne 0 ]
    run curl -sS -m 5 -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.crt" \
        --cert "$CERTS/client.crt" --key "$CERTS/client.key" "$BASE/api/v1/health"
    [ "$status" -eq 0 ]
    [ "$output" = 200 ]
    [ "$(ctl_get /_test/requests | json_get 'd["requests"][-1]["client_cert"]')" = pga-test-collector ]
    [ "$(ledger 'd["tls_handshake_failures"]')" -ge 2 ]
}

@test "https: fault modes work over TLS too (refuse, reset, commit_then_drop)" {
    start_backend --tls-cert "$CERTS/server.crt" --tls-key "$CERTS/server.key"
    token=$(mint c1)
    fault '{"mode":"refuse"}'
    run push "$token" "$(push_body c1 b1)" --cacert "$CERTS/ca.crt" -m 5
    [ "$status" -eq 7 ]
    ctl_post /_test/clear
    fault '{"mode":"reset"}'
    run push "$token" "$(push_body c1 b1)" --cacert "$CERTS/ca.crt" -m 5
    [ "$status" -ne 0 ]
    [ "$status" -ne 28 ]
    fault '{"mode":"commit_then_drop"}'
    run push "$token" "$(push_body c1 b1)" --cacert "$CERTS/ca.crt" -m 5
    [ "$status" -ne 0 ]
    [ "$(ledger 'd["accepted_count"]')" = 1 ]
    [ "$(push "$token" "$(push_body c1 b2)" --cacert "$CERTS/ca.crt")" = 200 ]
}
