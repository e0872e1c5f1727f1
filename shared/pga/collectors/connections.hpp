// pg_connections: sessions from pg_stat_activity counted by state, wait event, backend type and
// database, against max_connections; and the long-running sessions (active or idle in transaction
// longer than [pg_connections] long_running_threshold). Query text is off by default; when
// include_query_text is on it is obfuscated (sql_obfuscate.hpp) and omitted when that fails.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

struct ConnectionsOptions {
    bool include_query_text = false;
    std::int64_t long_running_s = 300;
    std::int64_t max_sessions = 100; // long-running sessions listed at most (longest first)
};

// Returns the pg_connections object of the cluster session belongs to; throws pg::Error.
nlohmann::json read_connections(pg::Session& session, const ConnectionsOptions& options, std::uint64_t* rows);

} // namespace pga::collectors
