// Connection parameters for pga-validate, pga-diag and pga-bench from the configuration.
#pragma once

#include "pga/config/config.hpp"
#include "pga/pg/connection.hpp"

namespace pga::cli::validate {

// Returns libpq parameters for dbname (the configured `database` when empty), as the collector
// would connect, with application_name set to tool.
pg::ConnParams conn_params(const config::Config& config, const std::string& dbname, const std::string& tool);

// Returns a likely fix for a connection error message ("" when none is obvious).
std::string connect_hint(const config::Config& config, const std::string& message);

} // namespace pga::cli::validate
