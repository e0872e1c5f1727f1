// pg_connections: sessions from pg_stat_activity counted by state, wait event, backend type and
// database, against max_connections; and the long-running sessions (active or idle in transaction
// longer than [pg_connections] long_running_threshold). Query text is off by default; when
// include_query_text is on it is obfuscated (sql_obfuscate.hpp) and omitted when that fails.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/config/config.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

// The [pg_connections] tuning keys; defaults from config::Config.
struct ConnectionsOptions {
    bool include_query_text = config::Config::Collectors{}.pg_connections_include_query_text;
    std::int64_t long_running_s = config::Config::Collectors{}.pg_connections_long_running_s;
    // long-running sessions listed at most (longest first)
    std::int64_t max_sessions = config::Config::Collectors{}.pg_connections_max_sessions;
};

// Returns the pg_connections object of the cluster session belongs to; throws pg::Error.
nlohmann::json read_connections(pg::Session& session, const ConnectionsOptions& options, std::uint64_t* rows);

} // namespace pga::collectors
