// pg_locks: lock counts by lock type, mode and granted, and every session waiting on a lock with
// the sessions blocking it (pg_blocking_pids), how long it has waited, the lock it wants, and the
// root of its blocking chain (the blockers that are not themselves waiting) with their state.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/pg/session.hpp"

#include <map>

namespace pga::collectors {

// Returns, for every waiting pid, the pids at the root of its blocking chain (blockers that wait on
// nobody) and the chain depth; cycles (deadlocks about to be broken) end where a pid repeats.
struct ChainInfo {
    std::vector<std::int64_t> roots;
    int depth = 0;
};
std::map<std::int64_t, ChainInfo> blocking_chains(const std::map<std::int64_t, std::vector<std::int64_t>>& blocked_by);

// Returns the pg_locks object of the cluster session belongs to; throws pg::Error.
nlohmann::json read_locks(pg::Session& session, std::uint64_t* rows);

} // namespace pga::collectors
