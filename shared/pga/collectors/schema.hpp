// pg_schema: the inventory of each database's user relations (tables, partitioned tables and their
// partitions, views, materialized views, foreign tables, sequences) with their columns, and their
// indexes and constraints. Slow-changing, so collected on a long interval; capped per database
// (relations ordered by schema and name) with the number left out.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

// Returns the payload name of a pg_class relkind ("table", "partitioned_table", ...).
std::string relkind_name(std::string_view relkind);

// Returns the pg_schema object of the database session is connected to, with at most
// max_relations relations (and their columns, indexes, constraints), as JSON text without type
// (collect::Output::texts), written straight from the results; throws pg::Error.
std::string schema_text(pg::Session& session, std::int64_t max_relations, std::uint64_t* rows);

// Returns the same object, parsed.
nlohmann::json read_schema(pg::Session& session, std::int64_t max_relations, std::uint64_t* rows);

} // namespace pga::collectors
