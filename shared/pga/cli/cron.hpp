// `pganalytics cron`: the collection loop as a command. Loads the configuration, sets up the log,
// takes the state directory's lock (a second instance exits 0 saying which pid runs), picks the
// sink (stdout for --dry-run, the backend otherwise) and runs the loop until SIGTERM/SIGINT, or
// one cycle with --once.
#pragma once

#include "pga/collect/batch.hpp"
#include "pga/config/config.hpp"

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

namespace pga::cli {

struct CronOptions {
    std::optional<std::string> config_path;
    std::string log_level; // overrides [collector] log_level when not empty
    bool once = false;
    bool dry_run = false;
};

// Runs the command; batches go to out with --dry-run, messages to err. Returns an exit code.
int cron(const CronOptions& options, std::ostream& out, std::ostream& err);

// Returns the sink delivering batches to the backend (spool and sender), or nullptr when this
// build has no delivery layer. Implemented by pga/deliver's engineer (cli/backend_sink.cpp).
std::unique_ptr<collect::BatchSink> make_backend_sink(const config::Config& config);

} // namespace pga::cli
