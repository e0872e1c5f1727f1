// pg_checkpointer: checkpointer and background writer counters on both sides of the PostgreSQL 17
// split (pg_stat_bgwriter alone up to 16; pg_stat_checkpointer plus a slimmer pg_stat_bgwriter from
// 17), normalised to one shape. Counters the version does not have are null. Cumulative.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

// Returns the pg_checkpointer object of the cluster session belongs to; throws pg::Error.
nlohmann::json read_checkpointer(pg::Session& session, std::uint64_t* rows);

} // namespace pga::collectors
