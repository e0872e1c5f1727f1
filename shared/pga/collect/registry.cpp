// The collector table. Adding a metric type means adding one row here (and its file in
// pga/collectors/); the configuration sections, the sample file and the docs follow from it.
#include "pga/collect/registry.hpp"

#include "pga/collectors/factories.hpp"

namespace pga::collect {

namespace {

using namespace pga::collectors;

// clang-format off
constexpr CollectorInfo k_collectors[] = {
    {"pg_query_stats", "top statements from pg_stat_statements", 60, 30, 130000, "pg_monitor (pg_read_all_stats)", true, make_query_stats},
    {"pg_stats",       "database, table and index statistics and sizes", 60, 30, 130000, "pg_monitor", true, make_pg_stats},
    {"sysstat",        "host CPU, memory, load and disk I/O from /proc", 60, 10, 0, "none", true, make_sysstat},
    {"disk_usage",     "filesystems, data and WAL directories, database sizes", 60, 10, 0, "pg_monitor", true, make_disk_usage},
};
// clang-format on

} // namespace

std::span<const CollectorInfo> collectors() {
    return k_collectors;
}

const CollectorInfo* find_collector(std::string_view name) {
    for (const auto& c : k_collectors) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

std::vector<config::MetricDefaults> metric_defaults() {
    std::vector<config::MetricDefaults> out;
    for (const auto& c : k_collectors) {
        out.push_back({std::string(c.name), std::string(c.description), c.default_interval_s, c.default_timeout_s,
                       c.default_enabled});
    }
    return out;
}

} // namespace pga::collect
