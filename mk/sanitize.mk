# Sanitizer builds and fuzzing with clang (Debian clang-14, libclang-rt-14-dev).
#   make asan       ASan+UBSan build in build-san, then the unit tests and the integration suite (PG 15)
#   make tsan       TSan build in build-tsan, same tests
#   make fuzz       builds the libFuzzer targets (tests/fuzz) in build-san, runs each FUZZ_SECONDS
#   make fuzz-long  runs each target FUZZ_LONG_SECONDS and prints executions and crashes per target
# build-san is always configured with PGA_FUZZ=ON, so the one build dir serves both the test runs
# and the fuzz targets (pga_core carries the fuzzer-no-link coverage instrumentation either way).
# Any sanitizer report fails the run; a fuzzer crash fails and prints the path of the crash file.

SAN_CXX           ?= clang++-14
SAN_BUILD         ?= build-san
TSAN_BUILD        ?= build-tsan
FUZZ_SECONDS      ?= 30
FUZZ_LONG_SECONDS ?= 600
# Scratch space of the fuzz runs (corpus growth, crash files); the seed corpora in the repo are
# read-only inputs, nothing is copied back into them.
FUZZ_WORK         ?= $(SAN_BUILD)/fuzz-work
FUZZ_TARGETS      := fuzz_config fuzz_backend_response fuzz_spool_record fuzz_obfuscate fuzz_json_writer

SAN_TEST_ENV  := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
TSAN_TEST_ENV := TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/sanitizers/tsan.supp"
FUZZ_ENV      := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: asan tsan fuzz fuzz-long san-build tsan-build

san-build: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=$(SAN_CXX) \
	  -DPGA_SANITIZE=address,undefined -DPGA_FUZZ=ON
	cmake --build $(SAN_BUILD) -j $(JOBS)

tsan-build: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=$(SAN_CXX) \
	  -DPGA_SANITIZE=thread -DPGA_FUZZ=OFF
	cmake --build $(TSAN_BUILD) -j $(JOBS)

asan: san-build ## clang ASan+UBSan build (build-san), unit and integration tests (PG 15); any report fails
	$(SAN_TEST_ENV) $(SAN_BUILD)/tests/pga_unit_tests --gtest_brief=1
	$(SAN_TEST_ENV) PGA_TEST_PG_VERSION=15 $(SAN_BUILD)/tests/pga_integration_tests --gtest_brief=1

tsan: tsan-build ## clang TSan build (build-tsan), unit and integration tests (PG 15); any report fails
	$(TSAN_TEST_ENV) $(TSAN_BUILD)/tests/pga_unit_tests --gtest_brief=1
	$(TSAN_TEST_ENV) PGA_TEST_PG_VERSION=15 $(TSAN_BUILD)/tests/pga_integration_tests --gtest_brief=1

fuzz: san-build ## Build the libFuzzer targets (build-san) and run each FUZZ_SECONDS (default 30); a crash fails
	$(FUZZ_ENV) ./tests/fuzz/run.sh $(SAN_BUILD) $(FUZZ_WORK) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-long: san-build ## Run each fuzz target FUZZ_LONG_SECONDS (default 600); prints executions and crashes per target
	$(FUZZ_ENV) ./tests/fuzz/run.sh $(SAN_BUILD) $(FUZZ_WORK) $(FUZZ_LONG_SECONDS) $(FUZZ_TARGETS)
