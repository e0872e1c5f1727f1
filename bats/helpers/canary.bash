# canary.bash - planted secret values ("canaries") for bats/secrets_canary.bats.
#
#   canary_new KIND            prints CANARY-KIND-<24 random hex digits>
#   canary_names               the variables holding canaries (CANARY_PGPASS, CANARY_TOKEN, ...)
#   canary_absent LABEL PATH...   fails, naming the file, line and canary, when any canary occurs
#                              in a PATH (raw bytes, grep -a; directories recursively); fails too
#                              when a PATH does not exist, so a mistyped path cannot pass
#   canary_absent_text LABEL TEXT  the same for a string (a command's output)
#   canary_file PATH VALUE     writes VALUE to PATH with mode 0600

CANARY_VARS="CANARY_PGPASS CANARY_TOKEN CANARY_REGSECRET CANARY_BADPASS CANARY_BADTOKEN CANARY_BADREG"

canary_new() {
    printf 'CANARY-%s-%s\n' "$1" "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
}

canary_names() {
    echo "$CANARY_VARS"
}

canary_absent() {
    local label=$1 path name value hits=0
    shift
    for path in "$@"; do
        if [ ! -e "$path" ]; then
            echo "canary check $label: $path does not exist" >&2
            return 1
        fi
        for name in $CANARY_VARS; do
            value=${!name:-}
            [ -n "$value" ] || continue
            if grep -a -r -n -F -- "$value" "$path" >&2; then
                echo "LEAK ($label): $name found in $path" >&2
                hits=$((hits + 1))
            fi
        done
    done
    CANARY_CHECKS=$((${CANARY_CHECKS:-0} + 1))
    ((hits == 0))
}

canary_absent_text() {
    local label=$1 text=$2 name value hits=0
    for name in $CANARY_VARS; do
        value=${!name:-}
        [ -n "$value" ] || continue
        if [[ "$text" == *"$value"* ]]; then
            echo "LEAK ($label): $name found in: $text" >&2
            hits=$((hits + 1))
        fi
    done
    CANARY_CHECKS=$((${CANARY_CHECKS:-0} + 1))
    ((hits == 0))
}

canary_file() {
    (umask 077 && printf '%s\n' "$2" >"$1")
    chmod 600 "$1"
}
