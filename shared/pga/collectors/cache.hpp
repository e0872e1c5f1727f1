// pg_cache: buffer cache hit ratios per database: the database's blks_hit/blks_read, and its tables'
// heap, index and TOAST block hits and reads (pg_statio_user_tables, most-read first, capped) and
// indexes (pg_statio_user_indexes). NULL counters (no index, no TOAST table) stay null and count as
// 0 in ratios; a ratio with nothing read or hit is null. Counters are cumulative.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/config/config.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

// Returns hit / (hit + read), or nullopt when both are 0.
std::optional<double> hit_ratio(std::int64_t hit, std::int64_t read);

// The [pg_cache] tuning keys; defaults from config::Config.
struct CacheLimits {
    std::int64_t max_tables = config::Config::Collectors{}.pg_cache_max_tables;
    std::int64_t max_indexes = config::Config::Collectors{}.pg_cache_max_indexes;
};

// Returns the pg_cache object of the database session is connected to (at most limits.max_tables
// tables and limits.max_indexes indexes, busiest first) as JSON text without type
// (collect::Output::texts), its lists written straight from the results; throws pg::Error.
std::string cache_text(pg::Session& session, const CacheLimits& limits, std::uint64_t* rows);

// Returns the same object, parsed.
nlohmann::json read_cache(pg::Session& session, const CacheLimits& limits, std::uint64_t* rows);

} // namespace pga::collectors
