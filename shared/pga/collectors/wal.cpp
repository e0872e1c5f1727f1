// pg_wal: see wal.hpp. pg_stat_wal's columns differ between versions (18 moved write/sync counts
// to pg_stat_io), so its row is taken as the server has it.
#include "pga/collectors/wal.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/session_collector.hpp"

namespace pga::collectors {

namespace {

const std::string k_stat_wal_sql =
    "SELECT w.*, " + rfc3339_sql("w.stats_reset", "stats_reset") + " FROM pg_catalog.pg_stat_wal w";

const char* const k_wal_sql =
    "SELECT pg_catalog.pg_is_in_recovery() AS in_recovery,"
    " pg_catalog.pg_wal_lsn_diff(CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()"
    " ELSE pg_catalog.pg_current_wal_lsn() END, '0/0')::int8 AS position_bytes,"
    " (SELECT pg_catalog.sum(f.size)::int8 FROM pg_catalog.pg_ls_waldir() f) AS directory_bytes,"
    " (SELECT count(*)::int8 FROM pg_catalog.pg_ls_waldir() f WHERE f.name ~ '^[0-9A-F]{24}$') AS segment_files,"
    " (SELECT setting::int8 FROM pg_catalog.pg_settings WHERE name = 'wal_segment_size') AS segment_size_bytes,"
    " (SELECT setting::int8 * 1024 * 1024 FROM pg_catalog.pg_settings WHERE name = 'max_wal_size')"
    " AS max_wal_size_bytes,"
    " (SELECT setting::int8 * 1024 * 1024 FROM pg_catalog.pg_settings WHERE name = 'min_wal_size')"
    " AS min_wal_size_bytes";

constexpr Field k_wal_fields[] = {
    {"in_recovery", Kind::boolean},        {"position_bytes", Kind::integer},     {"directory_bytes", Kind::integer},
    {"segment_files", Kind::integer},      {"segment_size_bytes", Kind::integer}, {"max_wal_size_bytes", Kind::integer},
    {"min_wal_size_bytes", Kind::integer},
};

} // namespace

nlohmann::json read_wal(pg::Session& session, std::uint64_t* rows) {
    const auto r = session.query(k_wal_sql);
    nlohmann::json o = row_object(r, 0, k_wal_fields);
    o["counters"] = "cumulative";
    o["stats"] = nullptr;
    if (session.server_version() >= 140000) {
        const auto stats = session.query(k_stat_wal_sql);
        o["stats"] = stats.rows() > 0 ? generic_row(stats, 0) : nlohmann::json(nullptr);
    } else {
        o["stats_unavailable"] = "pg_stat_wal is not available on this version (needs PostgreSQL 14)";
    }
    if (rows != nullptr) {
        *rows += 1;
    }
    return o;
}

std::unique_ptr<collect::Collector> make_wal() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context&, collect::Output& out) {
            out.metrics.push_back(read_wal(s, &out.rows));
        },
        false);
}

} // namespace pga::collectors
