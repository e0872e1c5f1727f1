// The exit codes shared by all tools (documented in README.md). pga-validate and pga-healthcheck
// add their own documented codes on top (0/1/2 and the monitoring-plugin 0/1/2/3).
#pragma once

namespace pga::cli {

enum ExitCode : int {
    k_exit_ok = 0,      // success
    k_exit_failure = 1, // the command ran and failed (database, backend, disk)
    k_exit_usage = 2,   // bad command line
    k_exit_config = 78, // the configuration is invalid or unreadable (EX_CONFIG)
};

} // namespace pga::cli
