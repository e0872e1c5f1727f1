// The collection loop behind `pganalytics cron`: ticks every [collector] interval on the monotonic
// clock (a cycle that overruns skips the next tick and counts it), runs a cycle through the
// CollectorManager, hands the batch to the sink, calls the sink's push every push_interval,
// reloads the configuration on request (an invalid one is logged and the old one kept), applies a
// configuration the delivery layer pulled (LoopControl::offer_config) before the next cycle, and
// writes the status file after every cycle.
#pragma once

#include "pga/cli/loop_control.hpp"
#include "pga/collect/batch.hpp"
#include "pga/collect/databases.hpp"
#include "pga/collect/manager.hpp"
#include "pga/state/sequence.hpp"
#include "pga/state/status.hpp"

#include <memory>
#include <optional>
#include <string>

namespace pga::cli {

struct LoopSettings {
    bool once = false;       // one cycle, then return
    bool write_state = true; // persist the sequence and write the status file (false: dry run)
    std::string config_path; // re-read on reload
    std::string log_level;   // command-line override kept across reloads ("" = from config)
};

class CronLoop {
public:
    // The sink and control must outlive the loop. Throws std::runtime_error when the state
    // directory's sequence file is unreadable.
    CronLoop(std::shared_ptr<const config::Config> config, collect::BatchSink& sink, LoopSettings settings,
             LoopControl& control);
    ~CronLoop();
    CronLoop(const CronLoop&) = delete;
    CronLoop& operator=(const CronLoop&) = delete;

    // Runs until a stop request (or one cycle with settings.once); then shuts the sink and the
    // workers down within a bound. Returns true when every worker stopped in time.
    bool run();
    // Runs one cycle now (tick = now); the batch goes to the sink.
    void cycle(util::SteadyClock::time_point tick);
    // Applies a reload request: re-reads the configuration file and reopens the log.
    void reload();

    const state::Status& status() const { return status_; }
    std::shared_ptr<const config::Config> config() const { return config_; }
    // The pool currently in use (replaced when a reload changes connection settings).
    std::shared_ptr<pg::Pool> pool() const { return pool_; }

private:
    void wait_for_tick(util::SteadyClock::time_point tick);
    void apply_offered();
    void apply(std::shared_ptr<const config::Config> next);
    int probe_server(std::vector<std::string>& databases);
    void finish_cycle(const collect::CycleOutput& out);

    std::shared_ptr<const config::Config> config_;
    collect::BatchSink& sink_;
    LoopSettings settings_;
    LoopControl& control_;
    std::shared_ptr<pg::Pool> pool_;
    std::unique_ptr<collect::CollectorManager> manager_;
    collect::DatabaseList databases_;
    std::optional<state::Sequence> sequence_;
    state::Status status_;
    util::SteadyClock::time_point next_push_;
    util::SteadyClock::time_point last_usage_at_;
    double last_cpu_s_ = 0;
};

// Returns the connection parameters of config (everything but the database name).
pg::ConnParams conn_params(const config::Config& config);

// Returns the pool options of config.
pg::PoolOptions pool_options(const config::Config& config);

} // namespace pga::cli
