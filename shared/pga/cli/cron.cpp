// `pganalytics cron`: see cron.hpp.
#include "pga/cli/cron.hpp"

#include "pga/cli/backend_sink.hpp"
#include "pga/cli/common.hpp"
#include "pga/cli/cron_loop.hpp"
#include "pga/cli/exit_codes.hpp"
#include "pga/cli/stdout_sink.hpp"
#include "pga/log/log.hpp"
#include "pga/state/instance_lock.hpp"
#include "pga/util/process.hpp"
#include "pga/version.hpp"

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <spdlog/spdlog.h>

namespace pga::cli {

namespace {

// Creates state_dir when missing; returns false (message on err) when it cannot.
bool ensure_state_dir(const std::string& dir, std::ostream& err) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        err << "cannot create state directory " << dir << ": " << ec.message() << "\n"
            << "hint: create it for the collector's user or set [collector] state_dir\n";
        return false;
    }
    return true;
}

std::unique_ptr<collect::BatchSink> make_sink(const CronOptions& options, const config::Config& config,
                                              std::ostream& out, LoopControl& control) {
    if (options.dry_run) {
        return std::make_unique<StdoutSink>(
            collect::EnvelopeInfo{config.collector.id, config.collector.hostname, k_version}, out);
    }
    return make_backend_sink(config, [&control](config::Config pulled, const std::string& version) {
        spdlog::info("backend offers configuration version {}", version);
        control.offer_config(std::make_shared<const config::Config>(std::move(pulled)));
    });
}

int run_loop(const CronOptions& options, std::shared_ptr<const config::Config> config, collect::BatchSink& sink,
             LoopControl& control) {
    LoopSettings settings{options.once, !options.dry_run, config->source_path, options.log_level};
    CronLoop loop(std::move(config), sink, settings, control);
    if (!loop.run()) {
        spdlog::warn("a collector did not stop in time; exiting without waiting for it");
        spdlog::default_logger()->flush();
        std::_Exit(k_exit_ok);
    }
    spdlog::info("collection loop stopped");
    return k_exit_ok;
}

} // namespace

int cron(const CronOptions& options, std::ostream& out, std::ostream& err) {
    util::limit_malloc_arenas(1);
    LoopControl control;
    SignalWatcher signals(control); // first: every thread started later inherits the blocked signals
    auto config = load_config(options.config_path, err);
    if (!config) {
        err << "configuration is invalid\n";
        return k_exit_config;
    }
    const auto& c = config->collector;
    log::setup({c.log_file, options.log_level.empty() ? c.log_level : options.log_level, true});
    std::optional<state::InstanceLock> lock;
    if (!options.dry_run) {
        if (!ensure_state_dir(c.state_dir, err)) {
            return k_exit_failure;
        }
        pid_t holder = 0;
        lock = state::InstanceLock::acquire(c.state_dir, &holder);
        if (!lock) {
            out << "already running (pid " << holder << ")\n";
            return k_exit_ok;
        }
    }
    std::unique_ptr<collect::BatchSink> sink;
    try {
        sink = make_sink(options, *config, out, control);
    } catch (const std::exception& e) {
        err << "pganalytics cron: " << e.what() << "\n";
        return k_exit_failure;
    }
    if (!sink) {
        err << "backend delivery is not available in this build\n";
        return k_exit_failure;
    }
    try {
        return run_loop(options, std::make_shared<const config::Config>(std::move(*config)), *sink, control);
    } catch (const std::exception& e) {
        spdlog::critical("collection loop failed: {}", e.what());
        err << "pganalytics cron: " << e.what() << "\n";
        return k_exit_failure;
    }
}

} // namespace pga::cli
