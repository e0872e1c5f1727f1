// The SQL of pg_query_stats, built from the columns the installed pg_stat_statements has (so it
// follows PostgreSQL 13-18 and extension versions without a version table): exec-time columns of
// 13+, PG17's shared_blk_read_time for blk_read_time, WAL and plan columns where they exist.
#pragma once

#include <set>
#include <string>

namespace pga::collectors {

// Returns the statement that reads pg_stat_statements(false) once, sums rows per (dbid, queryid)
// and keeps the top $1 per database by total execution time, joined to pg_database for the name.
// `schema` is the extension's schema, already quoted; `columns` the view's column names.
std::string query_stats_sql(const std::string& schema, const std::set<std::string>& columns);

// Returns the statement reading the text of the queryids in $1 (an int8[] literal).
std::string query_text_sql(const std::string& schema);

// The statement listing the columns of the pg_stat_statements view in schema $1.
inline constexpr const char* k_query_stats_columns_sql =
    "SELECT a.attname FROM pg_catalog.pg_attribute a"
    " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relname = 'pg_stat_statements' AND n.nspname = $1 AND a.attnum > 0 AND NOT a.attisdropped";

// The statement returning the schema pg_stat_statements is installed in (no row: not installed).
inline constexpr const char* k_query_stats_schema_sql =
    "SELECT n.nspname FROM pg_catalog.pg_extension e"
    " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'";

} // namespace pga::collectors
