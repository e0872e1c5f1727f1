// `--validate-config`: see validate_config.hpp. Prints no secret, only where each came from.
#include "pga/cli/validate_config.hpp"

#include "pga/cli/common.hpp"
#include "pga/cli/exit_codes.hpp"
#include "pga/util/strings.hpp"

#include <ostream>

namespace pga::cli {

namespace {

std::string or_unset(const std::string& value, const std::string& unset) {
    return value.empty() ? unset : util::escape_control(value);
}

std::string enabled_types(const config::Config& c) {
    std::vector<std::string> names;
    for (const auto& [name, m] : c.metrics) {
        if (m.enabled) {
            names.push_back(name + " (" + std::to_string(m.interval_s) + "s)");
        }
    }
    return names.empty() ? "none" : util::join(names, ", ");
}

std::string databases(const config::Config& c) {
    if (c.postgresql.databases.empty()) {
        return "all that allow connections (discovered every " +
               std::to_string(c.postgresql.database_discovery_interval_s) + "s)";
    }
    std::vector<std::string> escaped;
    for (const auto& d : c.postgresql.databases) {
        escaped.push_back(util::escape_control(d));
    }
    return util::join(escaped, ", ");
}

void print_summary(const config::Config& c, std::ostream& out) {
    const auto& pg = c.postgresql;
    out << "Configuration loaded successfully\n"
        << "Collector ID: " << or_unset(c.collector.id, "(not set; assigned by `pganalytics register`)") << "\n"
        << "Backend URL: " << or_unset(c.backend.url, "(not set; only `cron --dry-run` can run)") << "\n"
        << "Hostname: " << util::escape_control(c.collector.hostname) << "\n"
        << "PostgreSQL: " << util::escape_control(pg.user) << "@" << util::escape_control(pg.host) << ":" << pg.port
        << " (sslmode " << pg.sslmode << ", password " << pg.password.describe() << ")\n"
        << "Databases: " << databases(c) << "\n"
        << "Enabled metric types: " << enabled_types(c) << "\n"
        << "Connection pool: min " << pg.pool_min_size << ", max " << pg.pool_max_size << ", idle timeout "
        << pg.pool_idle_timeout_s << "s\n"
        << "Thread pool: " << c.threading.thread_pool_size << " threads\n"
        << "Schedule: collect every " << c.collector.interval_s << "s, push every " << c.collector.push_interval_s
        << "s, config pull every " << c.collector.config_pull_interval_s << "s\n"
        << "Backend token: " << c.backend.token.describe() << "\n"
        << "TLS verification: " << (c.tls.verify ? "on" : "OFF") << "\n";
}

} // namespace

int validate_config(const std::optional<std::string>& config_path, std::ostream& out, std::ostream& err) {
    const auto config = load_config(config_path, err);
    if (!config) {
        err << "configuration is invalid\n";
        return k_exit_config;
    }
    print_summary(*config, out);
    return k_exit_ok;
}

} // namespace pga::cli
