// Loading a TOML configuration file into a Config: parsing (toml++), type and range checks from
// the option table, section aliases, cross-field rules, secret resolution and the permission
// check for files holding inline secrets. Every problem is reported, not only the first.
#pragma once

#include "pga/config/config.hpp"
#include "pga/config/diagnostic.hpp"
#include "pga/config/options.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pga::config {

// Looks up an environment variable; injectable so tests do not touch the real environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Returns the process environment lookup (std::getenv).
EnvLookup process_env();

struct LoadResult {
    Config config;
    std::vector<Diagnostic> diagnostics;
    bool ok() const { return !has_errors(diagnostics); }
};

// The default configuration path used when neither -c nor PGANALYTICS_CONFIG is given.
inline constexpr const char* k_default_config_path = "/etc/pganalytics/collector.toml";

// Returns the config path: the command-line value, else PGANALYTICS_CONFIG, else the default.
std::string resolve_config_path(const std::optional<std::string>& from_cli, const EnvLookup& env);

// Loads and validates the file at path. Never throws; problems are in the diagnostics.
LoadResult load_file(const std::string& path, const std::vector<MetricDefaults>& metrics,
                     const EnvLookup& env = process_env());

// Loads and validates TOML text (a pulled configuration); `name` labels diagnostics. No
// permission check is made since there is no file.
LoadResult load_text(std::string_view text, const std::string& name, const std::vector<MetricDefaults>& metrics,
                     const EnvLookup& env = process_env());

} // namespace pga::config
