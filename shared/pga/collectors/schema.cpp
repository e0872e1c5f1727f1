// pg_schema: see schema.hpp. Four catalog reads per database, all limited to the same capped set of
// relations (pg_catalog, information_schema and TOAST schemas excluded).
#include "pga/collectors/schema.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/session_collector.hpp"

#include <map>

namespace pga::collectors {

namespace {

const char* const k_relations_sql =
    "WITH rel AS (SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, c.relispartition"
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')"
    " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"
    " AND n.nspname NOT LIKE 'pg\\_temp%')"
    " SELECT r.oid::int8 AS oid, r.nspname AS schema, r.relname AS name, r.relkind, r.relpersistence AS persistence,"
    " r.relispartition AS is_partition, (SELECT pn.nspname || '.' || p.relname FROM pg_catalog.pg_inherits i"
    " JOIN pg_catalog.pg_class p ON p.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace"
    " WHERE i.inhrelid = r.oid LIMIT 1) AS parent, pg_catalog.pg_get_partkeydef(r.oid) AS partition_key,"
    " count(*) OVER () AS total_count FROM rel r ORDER BY r.nspname, r.relname LIMIT $1";

const char* const k_columns_sql =
    "SELECT a.attrelid::int8 AS oid, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,"
    " a.attnotnull AS not_null, a.atthasdef AS has_default FROM pg_catalog.pg_attribute a"
    " WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum";

const char* const k_indexes_sql =
    "SELECT i.indrelid::int8 AS table_oid, c.relname AS name, am.amname AS method, i.indisunique AS is_unique,"
    " i.indisprimary AS is_primary, i.indisvalid AS is_valid, pg_catalog.pg_get_indexdef(i.indexrelid) AS definition"
    " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
    " JOIN pg_catalog.pg_am am ON am.oid = c.relam WHERE i.indrelid = ANY ($1::oid[]) ORDER BY i.indrelid, c.relname";

const char* const k_constraints_sql =
    "SELECT k.conrelid::int8 AS table_oid, k.conname AS name, k.contype AS kind, k.convalidated AS validated,"
    " pg_catalog.pg_get_constraintdef(k.oid) AS definition, CASE WHEN k.confrelid <> 0 THEN "
    "k.confrelid::regclass::text END AS references_table"
    " FROM pg_catalog.pg_constraint k WHERE k.conrelid = ANY ($1::oid[]) ORDER BY k.conrelid, k.conname";

constexpr Field k_relation_fields[] = {
    {"oid", Kind::integer},          {"schema", Kind::text}, {"name", Kind::text},          {"persistence", Kind::text},
    {"is_partition", Kind::boolean}, {"parent", Kind::text}, {"partition_key", Kind::text},
};
constexpr Field k_column_fields[] = {
    {"name", Kind::text}, {"type", Kind::text}, {"not_null", Kind::boolean}, {"has_default", Kind::boolean}};
constexpr Field k_index_fields[] = {
    {"name", Kind::text},          {"method", Kind::text},      {"is_unique", Kind::boolean},
    {"is_primary", Kind::boolean}, {"is_valid", Kind::boolean}, {"definition", Kind::text},
};
constexpr Field k_constraint_fields[] = {
    {"name", Kind::text}, {"validated", Kind::boolean}, {"definition", Kind::text}, {"references_table", Kind::text}};

std::string constraint_kind(std::string_view k) {
    if (k == "p")
        return "primary_key";
    if (k == "f")
        return "foreign_key";
    if (k == "u")
        return "unique";
    if (k == "c")
        return "check";
    if (k == "x")
        return "exclusion";
    if (k == "n")
        return "not_null"; // PostgreSQL 18+
    return std::string(k);
}

// Appends each row of r, as fields, to the array `key` of the relation whose oid is in column oid_col.
void attach(std::map<std::int64_t, nlohmann::json*>& by_oid, const pg::Result& r, const char* oid_col, const char* key,
            std::span<const Field> fields) {
    for (int i = 0; i < r.rows(); ++i) {
        const auto it = by_oid.find(r.get_int(i, r.column(oid_col)).value_or(0));
        if (it == by_oid.end()) {
            continue;
        }
        auto o = row_object(r, i, fields);
        if (const int k = r.column("kind"); k >= 0) {
            o["kind"] = constraint_kind(r.text(i, k));
        }
        (*it->second)[key].push_back(std::move(o));
    }
}

} // namespace

std::string relkind_name(std::string_view relkind) {
    if (relkind == "r")
        return "table";
    if (relkind == "p")
        return "partitioned_table";
    if (relkind == "v")
        return "view";
    if (relkind == "m")
        return "materialized_view";
    if (relkind == "f")
        return "foreign_table";
    if (relkind == "S")
        return "sequence";
    return std::string(relkind);
}

nlohmann::json read_schema(pg::Session& session, std::int64_t max_relations, std::uint64_t* rows) {
    const auto rels = session.query(k_relations_sql, {std::to_string(max_relations)});
    auto relations = nlohmann::json::array();
    std::string oids;
    for (int i = 0; i < rels.rows(); ++i) {
        auto o = row_object(rels, i, k_relation_fields);
        o["kind"] = relkind_name(rels.text(i, rels.column("relkind")));
        o["columns"] = o["indexes"] = o["constraints"] = nlohmann::json::array();
        relations.push_back(std::move(o));
        oids += (oids.empty() ? "" : ",") + std::string(rels.text(i, 0));
    }
    std::map<std::int64_t, nlohmann::json*> by_oid;
    for (auto& r : relations) {
        by_oid[r["oid"].get<std::int64_t>()] = &r;
    }
    const pg::Params ids{"{" + oids + "}"};
    const auto columns = session.query(k_columns_sql, ids);
    const auto indexes = session.query(k_indexes_sql, ids);
    const auto constraints = session.query(k_constraints_sql, ids);
    attach(by_oid, columns, "oid", "columns", k_column_fields);
    attach(by_oid, indexes, "table_oid", "indexes", k_index_fields);
    attach(by_oid, constraints, "table_oid", "constraints", k_constraint_fields);
    if (rows != nullptr) {
        *rows += static_cast<std::uint64_t>(rels.rows() + columns.rows() + indexes.rows() + constraints.rows());
    }
    const auto total = first_int(rels, "total_count");
    return {{"database", session.database()},
            {"relations", std::move(relations)},
            {"relations_total", total},
            {"relations_omitted", std::max<std::int64_t>(0, total - rels.rows())}};
}

std::unique_ptr<collect::Collector> make_schema() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context& ctx, collect::Output& out) {
            out.metrics.push_back(read_schema(s, ctx.config.tuning.pg_schema_max_relations, &out.rows));
        },
        true);
}

} // namespace pga::collectors
