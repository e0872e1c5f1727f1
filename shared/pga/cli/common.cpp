// Shared command-line pieces: see common.hpp.
#include "pga/cli/common.hpp"

#include "pga/collect/registry.hpp"
#include "pga/version.hpp"

#include <ostream>
#include <pg_config.h>

namespace pga::cli {

std::string version_line(const std::string& tool) {
    std::string libpq = PG_VERSION;
    libpq = libpq.substr(0, libpq.find(' '));
    return tool + " " + k_version + " (built with libpq " + libpq + ")";
}

std::vector<config::MetricDefaults> registered_metrics() {
    return collect::metric_defaults();
}

std::optional<config::Config> load_config(const std::optional<std::string>& cli_path, std::ostream& err) {
    const auto env = config::process_env();
    const std::string path = config::resolve_config_path(cli_path, env);
    auto result = config::load_file(path, registered_metrics(), env);
    for (const auto& d : result.diagnostics) {
        err << d.format() << "\n";
    }
    if (!result.ok()) {
        return std::nullopt;
    }
    return std::move(result.config);
}

} // namespace pga::cli
