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
    {"pg_replication", "primary/standby role, standby lag, slots, WAL receiver, wraparound age", 60, 20, 130000, "pg_monitor", true, make_replication},
    {"pg_locks",       "lock counts by mode and blocking chains with wait times", 60, 15, 130000, "pg_monitor", true, make_locks},
    {"pg_bloat",       "estimated table and btree index bloat (statistics, pgstattuple fallback)", 1800, 120, 130000, "pg_monitor", true, make_bloat},
    {"pg_cache",       "buffer cache hit ratios per database, table and index", 300, 30, 130000, "pg_monitor", true, make_cache},
    {"pg_connections", "sessions by state, wait event and backend type; long-running sessions", 60, 15, 130000, "pg_monitor", true, make_connections},
    {"pg_extensions",  "installed extensions per database", 3600, 30, 130000, "pg_monitor", true, make_extensions},
    {"pg_schema",      "relations, columns, indexes and constraints per database", 3600, 120, 130000, "pg_monitor", true, make_schema},
    {"pg_log",         "new server log entries with timestamps and levels", 60, 20, 130000, "pg_monitor (local log file)", true, make_log},
    {"pg_io",          "I/O statistics from pg_stat_io", 60, 15, 160000, "pg_monitor", true, make_io},
    {"pg_checkpointer", "checkpointer and background writer counters", 60, 15, 130000, "pg_monitor", true, make_checkpointer},
    {"pg_wal",         "WAL generation, WAL directory size and position", 60, 15, 130000, "pg_monitor", true, make_wal},
    {"pg_settings",    "server settings and their changes since the last run", 600, 30, 130000, "pg_monitor", true, make_settings},
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
