// pga-healthcheck's driver: reads the status file and the lock holder, keeps a short RSS
// history in state_dir, prints the plugin line (or JSON, or the decision), writes the textfile.
// Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; with --decide 0 CONTINUE, 2 ROLLBACK.
#pragma once

#include "pga/cli/healthcheck/evaluate.hpp"

#include <iosfwd>
#include <optional>
#include <string>

namespace pga::cli::healthcheck {

struct Options {
    std::optional<std::string> config_path;
    bool json = false;
    bool decide = false;
    std::string textfile; // "" for none
    Thresholds thresholds;
};

// Runs the health check and returns the exit code. Never throws.
int healthcheck_main(const Options& options, std::ostream& out, std::ostream& err);

} // namespace pga::cli::healthcheck
