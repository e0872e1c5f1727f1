// pg_replication: the server's role (primary or standby) and, on a primary, each connected standby
// with its LSNs and lag in bytes (pg_wal_lsn_diff against the current WAL position) and time; every
// replication slot with the WAL it retains; on a standby, the WAL receiver and the receive/replay
// gap; and per database the transaction ID age against autovacuum_freeze_max_age (wraparound).
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

// Returns the pg_replication object of the cluster session belongs to; throws pg::Error.
nlohmann::json read_replication(pg::Session& session, std::uint64_t* rows);

} // namespace pga::collectors
