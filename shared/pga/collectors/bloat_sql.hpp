// The SQL of pg_bloat: statistics-based estimates of table and btree index bloat (expected size
// from pg_class.reltuples and the pg_stats column widths, against the real page count), and the
// pgstattuple fallbacks used where the role cannot see a relation's column statistics.
#pragma once

#include <string>

namespace pga::collectors {

// Tables and matviews of at least $1 pages: relid, schemaname, relname, real_size_bytes,
// bloat_bytes, bloat_percent, is_na (true when column statistics are missing or not visible).
extern const char* const k_table_bloat_sql;

// Btree indexes of at least $1 pages: indexrelid, schemaname, relname, indexrelname,
// real_size_bytes, bloat_bytes, bloat_percent, is_na.
extern const char* const k_index_bloat_sql;

// Returns SQL measuring table $1 (oid) with schema.pgstattuple_approx (schema already quoted).
std::string table_approx_sql(const std::string& schema);

// Returns SQL measuring btree index $1 (oid) with schema.pgstatindex (schema already quoted).
std::string index_approx_sql(const std::string& schema);

} // namespace pga::collectors
