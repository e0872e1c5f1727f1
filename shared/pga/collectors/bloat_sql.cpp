// The SQL of pg_bloat: see bloat_sql.hpp. The table estimate follows the widely used ioguix
// "table_bloat" query (tuple header, alignment, null bitmap, fillfactor, TOAST pages); the btree
// estimate sizes each leaf tuple from its key columns' average widths.
#include "pga/collectors/bloat_sql.hpp"

namespace pga::collectors {

const char* const k_table_bloat_sql =
    "WITH t AS (SELECT tbl.oid AS relid, ns.nspname AS schemaname, tbl.relname, tbl.reltuples::float8 AS reltuples,"
    " tbl.relpages::float8 + COALESCE(toast.relpages, 0) AS pages, COALESCE(toast.reltuples, 0)::float8 AS toasttuples,"
    " COALESCE(substring(pg_catalog.array_to_string(tbl.reloptions, ' ') FROM 'fillfactor=([0-9]+)')::int, 100)"
    " AS fillfactor, pg_catalog.current_setting('block_size')::float8 AS bs,"
    " 23 + CASE WHEN max(COALESCE(s.null_frac, 0)) > 0 THEN (7 + count(s.attname)) / 8 ELSE 0 END AS hdr,"
    " sum((1 - COALESCE(s.null_frac, 0)) * COALESCE(s.avg_width, 0)) AS datawidth,"
    " bool_or(att.atttypid = 'pg_catalog.name'::pg_catalog.regtype) OR count(*) <> count(s.attname) AS is_na"
    " FROM pg_catalog.pg_attribute att JOIN pg_catalog.pg_class tbl ON att.attrelid = tbl.oid"
    " JOIN pg_catalog.pg_namespace ns ON ns.oid = tbl.relnamespace"
    // pg_stats per column (OFFSET 0: looked up by index for our columns only) instead of a join
    // that checks the privileges of every column in the database, catalogs included.
    " LEFT JOIN LATERAL (SELECT s.null_frac, s.avg_width, s.attname FROM pg_catalog.pg_stats s"
    " WHERE s.schemaname = ns.nspname AND s.tablename = tbl.relname AND NOT s.inherited"
    " AND s.attname = att.attname OFFSET 0) s ON true"
    " LEFT JOIN pg_catalog.pg_class toast ON toast.oid = tbl.reltoastrelid"
    " WHERE att.attnum > 0 AND NOT att.attisdropped AND tbl.relkind IN ('r', 'm') AND tbl.relpages >= $1"
    " AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname NOT LIKE 'pg\\_toast%'"
    " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8),"
    " sz AS (SELECT *, 4 + hdr + datawidth + 16 - CASE WHEN hdr % 8 = 0 THEN 8 ELSE hdr % 8 END"
    " - CASE WHEN ceil(datawidth)::int % 8 = 0 THEN 8 ELSE ceil(datawidth)::int % 8 END AS tpl FROM t),"
    " est AS (SELECT *, ceil(reltuples / ((bs - 24) * fillfactor / (tpl * 100))) + ceil(toasttuples / 4) AS est_pages"
    " FROM sz)"
    " SELECT relid::int8 AS relid, schemaname, relname, (pages * bs)::int8 AS real_size_bytes,"
    " CASE WHEN is_na THEN NULL ELSE (GREATEST(pages - est_pages, 0) * bs)::int8 END AS bloat_bytes,"
    " CASE WHEN is_na OR pages = 0 THEN NULL ELSE round((100 * GREATEST(pages - est_pages, 0) / pages)::numeric, "
    "2)::float8"
    " END AS bloat_percent, is_na FROM est ORDER BY pages DESC, relid";

const char* const k_index_bloat_sql =
    "WITH idx AS (SELECT ic.oid AS indexrelid, n.nspname AS schemaname, tc.relname, ic.relname AS indexrelname,"
    " ic.reltuples::float8 AS reltuples, ic.relpages::float8 AS pages, x.indrelid, x.indkey::int2[] AS keys,"
    " COALESCE(substring(pg_catalog.array_to_string(ic.reloptions, ' ') FROM 'fillfactor=([0-9]+)')::int, 90)"
    " AS fillfactor, pg_catalog.current_setting('block_size')::float8 AS bs"
    " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid"
    " JOIN pg_catalog.pg_class tc ON tc.oid = x.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace"
    " JOIN pg_catalog.pg_am am ON am.oid = ic.relam WHERE am.amname = 'btree' AND ic.relpages >= $1"
    " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'),"
    " w AS (SELECT idx.indexrelid, sum((1 - COALESCE(s.null_frac, 0)) * COALESCE(s.avg_width, 0)) AS datawidth,"
    " max(COALESCE(s.null_frac, 0)) > 0 AS has_nulls, count(*) <> count(s.attname) AS is_na"
    " FROM idx CROSS JOIN LATERAL pg_catalog.unnest(idx.keys) k(attnum)"
    " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = idx.indrelid AND a.attnum = k.attnum"
    " LEFT JOIN LATERAL (SELECT s.null_frac, s.avg_width, s.attname FROM pg_catalog.pg_stats s"
    " WHERE s.schemaname = idx.schemaname AND s.tablename = idx.relname AND NOT s.inherited"
    " AND s.attname = a.attname OFFSET 0) s ON true GROUP BY idx.indexrelid),"
    " est AS (SELECT idx.*, w.is_na, 1 + ceil(idx.reltuples / floor((idx.bs - 40) * idx.fillfactor / 100"
    " / (4 + 8 * ceil((8 + CASE WHEN w.has_nulls THEN 4 ELSE 0 END) / 8.0) + 8 * ceil(w.datawidth / 8.0))))"
    " AS est_pages FROM idx JOIN w USING (indexrelid))"
    " SELECT indexrelid::int8 AS indexrelid, schemaname, relname, indexrelname, (pages * bs)::int8 AS real_size_bytes,"
    " CASE WHEN is_na THEN NULL ELSE (GREATEST(pages - est_pages, 0) * bs)::int8 END AS bloat_bytes,"
    " CASE WHEN is_na OR pages = 0 THEN NULL ELSE round((100 * GREATEST(pages - est_pages, 0) / pages)::numeric, "
    "2)::float8"
    " END AS bloat_percent, is_na FROM est ORDER BY pages DESC, indexrelid";

std::string table_approx_sql(const std::string& schema) {
    return "SELECT a.table_len::int8 AS real_size_bytes,"
           " (a.table_len * (a.approx_free_percent + a.dead_tuple_percent) / 100)::int8 AS bloat_bytes,"
           " round((a.approx_free_percent + a.dead_tuple_percent)::numeric, 2)::float8 AS bloat_percent FROM " +
           schema + ".pgstattuple_approx($1::oid::regclass) a";
}

std::string index_approx_sql(const std::string& schema) {
    return "SELECT s.index_size::int8 AS real_size_bytes,"
           " CASE WHEN s.avg_leaf_density = 'NaN' THEN NULL ELSE (s.index_size * GREATEST(0, 1 - s.avg_leaf_density / "
           "90))"
           "::int8 END AS bloat_bytes, CASE WHEN s.avg_leaf_density = 'NaN' THEN NULL ELSE"
           " round((100 * GREATEST(0, 1 - s.avg_leaf_density / 90))::numeric, 2)::float8 END AS bloat_percent FROM " +
           schema + ".pgstatindex($1::oid::regclass) s";
}

} // namespace pga::collectors
