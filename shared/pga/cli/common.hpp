// Pieces every tool's command line shares: the version line, the config path and loading with
// diagnostics printed the same way everywhere.
#pragma once

#include "pga/config/loader.hpp"

#include <iosfwd>
#include <optional>
#include <string>

namespace pga::cli {

// Returns "<tool> 3.3.0 (built with libpq X.Y)".
std::string version_line(const std::string& tool);

// Loads the configuration named by -c / PGANALYTICS_CONFIG / the default path with every
// registered metric type; prints warnings and errors to err. Returns nullopt on any error.
std::optional<config::Config> load_config(const std::optional<std::string>& cli_path, std::ostream& err);

// Returns the metric defaults of every registered collector.
std::vector<config::MetricDefaults> registered_metrics();

} // namespace pga::cli
