// pg_io: the rows of pg_stat_io (PostgreSQL 16+): I/O operations and times per backend type, object
// and context, cumulative since stats_reset. Columns are taken as the server has them (PG18 replaced
// op_bytes with read_bytes/write_bytes/extend_bytes). Below 16 the type is "unavailable".
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

// Returns the pg_io object of the cluster session belongs to, or sets out.unavailable below
// PostgreSQL 16; throws pg::Error.
void read_io(pg::Session& session, collect::Output& out);

} // namespace pga::collectors
