// The backend sink the collection loop hands batches to: accept() writes each batch durably to
// the spool (split to request size) and returns; a delivery thread drains the spool to the
// backend (sender.hpp), refreshes credentials (auth.hpp) and pulls configuration
// (config_pull.hpp). shutdown() stops within its deadline: pending batches are still sent until
// then (unless the sender is backing off or paused), everything else stays in the spool.
#pragma once

#include "pga/collect/batch.hpp"
#include "pga/config/config.hpp"
#include "pga/deliver/config_pull.hpp"
#include "pga/deliver/timing.hpp"
#include "pga/deliver/transport.hpp"

#include <memory>

namespace pga::deliver {

struct DeliveryOptions {
    Timing timing;
    Clocks clocks;
    ConfigApply on_config; // empty: config pull is off
};

class DeliverySink final : public collect::BatchSink {
public:
    // Opens the spool in state_dir and starts the delivery thread. Throws std::runtime_error
    // when the spool cannot be opened or [backend] url is empty.
    DeliverySink(const config::Config& config, std::unique_ptr<Transport> transport, DeliveryOptions options);
    // Shuts down with a five-second bound unless shutdown() ran.
    ~DeliverySink() override;
    DeliverySink(const DeliverySink&) = delete;
    DeliverySink& operator=(const DeliverySink&) = delete;

    // Stores the batch in the spool (durable on return). Throws std::runtime_error on a local
    // failure such as a full disk; the failure is also counted (write_failed).
    void accept(collect::Batch batch) override;
    // Wakes the delivery thread to send what is pending.
    void push_due() override;
    void shutdown(util::SteadyClock::time_point deadline) override;
    // Returns {backend_url, last_success, consecutive_failures, last_error, requests, auth, spool}.
    nlohmann::json status() const override;
    // Waits until the spool is empty; returns false when timeout passed first (tests, --once).
    bool wait_drained(std::chrono::milliseconds timeout);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// Returns the timing for the sink: the defaults, or, when the environment variable
// PGA_TEST_TIME_DIVISOR holds a number from 1 to 1000, every duration divided by it (tests only;
// a warning is logged).
Timing timing_from_environment();

} // namespace pga::deliver
