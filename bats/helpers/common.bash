# Shared Bats helpers: where the built tools are, and temp config files.
# Debian's python3 first: a version manager's shim on the PATH costs a second per call.
export PATH="/usr/bin:$PATH"
PGA_BUILD_DIR=${PGA_BUILD_DIR:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)/build}
PGA_BIN="$PGA_BUILD_DIR/tools"
PGA_SRC=${PGA_SRC:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
export PGA_BUILD_DIR PGA_BIN PGA_SRC

# write_config NAME CONTENT [MODE]: writes a config file into the test's temp dir, prints its path.
write_config() {
    local path="$BATS_TEST_TMPDIR/$1"
    printf '%s\n' "$2" >"$path"
    chmod "${3:-600}" "$path"
    echo "$path"
}
