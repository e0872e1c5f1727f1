// pg_stats: per database, its pg_stat_database row and size, and the statistics and sizes of its
// largest tables and indexes (read from inside that database), capped by [pg_stats] max_tables and
// max_indexes with the number left out. Sizes use oid-based functions, so no name is ever quoted
// into SQL; NULL timestamps (never vacuumed, never analyzed) stay null.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

struct PgStatsLimits {
    std::int64_t max_tables = 200;
    std::int64_t max_indexes = 200;
};

// Returns the pg_stats object of the database session is connected to as JSON text, without type
// (collect::Output::texts): the table and index lists are written straight from the results, with
// no document tree per row. Throws pg::Error.
std::string pg_stats_text(pg::Session& session, const PgStatsLimits& limits, std::uint64_t* rows);

// Returns the same object, parsed, with its type.
nlohmann::json read_pg_stats(pg::Session& session, const PgStatsLimits& limits, std::uint64_t* rows);

class PgStatsCollector final : public collect::Collector {
public:
    void collect(const collect::Context& ctx, collect::Output& out) override;
    bool per_database() const override { return true; }
};

} // namespace pga::collectors
