// pg_wal: WAL generation from pg_stat_wal (PostgreSQL 14+; null below, with the reason), the WAL
// directory's size and file count (pg_ls_waldir, pg_monitor), the current WAL position as a byte
// offset, and wal_segment_size / max_wal_size / min_wal_size. Counters are cumulative.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

// Returns the pg_wal object of the cluster session belongs to; throws pg::Error.
nlohmann::json read_wal(pg::Session& session, std::uint64_t* rows);

} // namespace pga::collectors
