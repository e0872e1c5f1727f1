// pg_bloat: estimated bloat of each database's tables and btree indexes. The estimate is
// statistics-based (no relation is read): expected pages from reltuples and the column widths in
// pg_stats, against the real page count. Where the role cannot see a relation's statistics (pg_stats
// shows only tables the role may SELECT), the pgstattuple extension, when installed, measures the
// largest such relations instead (pgstattuple_approx, pgstatindex; granted to pg_stat_scan_tables,
// part of pg_monitor), bounded in number. Expensive: long default interval.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

struct BloatOptions {
    std::int64_t min_pages = 10;      // smaller relations are not estimated
    std::int64_t max_relations = 100; // tables and indexes each, reported at most (largest first)
    std::int64_t max_measured = 10;   // relations measured with pgstattuple per run, tables and indexes each
};

// Returns the pg_bloat object of the database session is connected to; throws pg::Error.
nlohmann::json read_bloat(pg::Session& session, const BloatOptions& options, std::uint64_t* rows);

} // namespace pga::collectors
