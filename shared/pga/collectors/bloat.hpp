// pg_bloat: estimated bloat of each database's tables and btree indexes. The estimate is
// statistics-based (no relation is read): expected pages from reltuples and the column widths in
// pg_stats, against the real page count. Where the role cannot see a relation's statistics (pg_stats
// shows only tables the role may SELECT), the pgstattuple extension, when installed, measures the
// largest such relations instead (pgstattuple_approx, pgstatindex; granted to pg_stat_scan_tables,
// part of pg_monitor), bounded in number. Expensive: long default interval.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/config/config.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

// The [pg_bloat] tuning keys; defaults from config::Config.
struct BloatOptions {
    std::int64_t min_pages = config::Config::Collectors{}.pg_bloat_min_pages; // smaller relations are not estimated
    // tables and indexes each, reported at most (largest first)
    std::int64_t max_relations = config::Config::Collectors{}.pg_bloat_max_relations;
    // relations measured with pgstattuple per run, tables and indexes each
    std::int64_t max_measured = config::Config::Collectors{}.pg_bloat_max_measured;
};

// Returns the pg_bloat object of the database session is connected to; throws pg::Error.
nlohmann::json read_bloat(pg::Session& session, const BloatOptions& options, std::uint64_t* rows);

} // namespace pga::collectors
