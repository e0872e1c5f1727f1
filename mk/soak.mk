# Soak test: `pganalytics cron` for SOAK_CYCLES one-second cycles against a throwaway PostgreSQL
# (restarted SOAK_PG_RESTARTS times) and the test backend (flapping every SOAK_FLAP_EVERY_S s),
# sampling RSS, fds, threads and PostgreSQL connections; fails when any of them grows after the
# warm-up or when lost = created - accepted - dropped != 0. See scripts/soak.sh for every knob.
#   make soak                      600 cycles, about 10 minutes; writes build/soak/{samples.csv,summary.md}
#   make soak SOAK_CYCLES=3600     an hour

SOAK_OUT ?= $(BUILD)/soak
export SOAK_CYCLES SOAK_OUT SOAK_SAMPLE_S SOAK_FLAP_EVERY_S SOAK_FLAP_LEN_S SOAK_PG_RESTARTS SOAK_WARMUP_PCT \
       SOAK_RSS_BOUND_KIB SOAK_PG_VERSION

.PHONY: soak
soak: build ## Soak: 600 one-second cron cycles with backend flaps and PostgreSQL restarts; RSS/fds/threads/connections flat, lost = 0
	./scripts/soak.sh $(BUILD)
