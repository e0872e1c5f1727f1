# backend.bash - the Python test backend (tests/backend/pga_test_backend.py) for Bats tests.
#
#   backend_start [pga_test_backend.py options...]   exports BACKEND_URL, BACKEND_CONTROL, BACKEND_PID
#                                                    (in setup_file: one backend for the whole file)
#   backend_control METHOD PATH [JSON]                 calls the control API, prints its JSON
#   backend_stop                                       stops it (safe to call twice)
# The backend also exits on its own when the Bats process that started it is gone.

backend_start() {
    local dir=${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}
    local port_file="$dir/backend.json"
    rm -f "$port_file"
    /usr/bin/python3 "$PGA_SRC/tests/backend/pga_test_backend.py" --port-file "$port_file" \
        --log "$dir/backend.log" --exit-with-pid "$BASHPID" "$@" 3>&- &
    BACKEND_PID=$!
    local _
    for _ in $(seq 1 300); do
        [ -s "$port_file" ] && break
        sleep 0.05
    done
    [ -s "$port_file" ] || { echo "test backend did not start" >&2; return 1; }
    local scheme port control
    scheme=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scheme"])' "$port_file")
    port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$port_file")
    control=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["control_port"])' "$port_file")
    export BACKEND_URL="$scheme://127.0.0.1:$port" BACKEND_CONTROL="http://127.0.0.1:$control" BACKEND_PID
}

backend_control() {
    curl -sS -X "$1" ${3:+-d "$3"} "$BACKEND_CONTROL$2"
}

backend_stop() {
    [ -n "${BACKEND_PID:-}" ] || return 0
    kill "$BACKEND_PID" 2>/dev/null || true
    wait "$BACKEND_PID" 2>/dev/null || true
    BACKEND_PID=
}

# json_get JSON EXPRESSION: prints a value of the JSON text (python expression on `d`).
json_get() {
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}
