// The commented sample configuration (collector.toml.sample), generated from the option table.
#pragma once

#include "pga/config/options.hpp"

#include <string>
#include <vector>

namespace pga::config {

// Returns the sample file: every section and key with its description, unit, range and default;
// keys without a default and secrets are written commented out.
std::string sample_config(const std::vector<MetricDefaults>& metrics);

} // namespace pga::config
