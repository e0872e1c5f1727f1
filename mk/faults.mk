# The fault suite (tests/faults, Bats): `pganalytics cron` against a real PostgreSQL and the
# scriptable test backend under every fault of reliability.md, each scenario checking
# lost = created - counted drops - delivered-or-kept = 0. libfaketime jumps the wall clock.
DEPS += faketime

.PHONY: test-faults
test-faults: build ## Run the fault suite (tests/faults); prints each scenario's ledger
	./scripts/test-faults.sh $(BUILD)
