// pg_schema: see schema.hpp. Four catalog reads per database, all limited to the same capped set of
// relations (pg_catalog, information_schema and TOAST schemas excluded).
#include "pga/collectors/schema.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/row_json.hpp"
#include "pga/collectors/session_collector.hpp"

#include <unordered_map>

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

// The rows of r as JSON objects (fields, and "kind" named by constraint_kind when r has that
// column), comma-separated per relation oid (column oid_col).
std::unordered_map<std::int64_t, std::string> by_relation(const pg::Result& r, const char* oid_col,
                                                          std::span<const Field> fields) {
    std::unordered_map<std::int64_t, std::string> out;
    const RowWriter writer(r, fields);
    const int oid = r.column(oid_col);
    const int kind = r.column("kind");
    const RowExtra add_kind = [&](int row, std::string& text) {
        append_member(text, "kind", constraint_kind(r.text(row, kind)));
    };
    for (int i = 0; i < r.rows(); ++i) {
        auto& text = out[oid < 0 ? 0 : r.get_int(i, oid).value_or(0)];
        if (!text.empty()) {
            text += ',';
        }
        writer.append(text, i, kind >= 0 ? add_kind : RowExtra{});
    }
    return out;
}

// Appends `,"key":[...]` with the rows of `rows` for oid (an empty array when there are none).
void append_list(std::string& out, const char* key, const std::unordered_map<std::int64_t, std::string>& rows,
                 std::int64_t oid) {
    out += ",\"";
    out += key;
    out += "\":[";
    if (const auto it = rows.find(oid); it != rows.end()) {
        out += it->second;
    }
    out += ']';
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

std::string schema_text(pg::Session& session, std::int64_t max_relations, std::uint64_t* rows) {
    const auto rels = session.query(k_relations_sql, {std::to_string(max_relations)});
    std::string oids;
    for (int i = 0; i < rels.rows(); ++i) {
        oids += (oids.empty() ? "" : ",") + std::string(rels.text(i, 0));
    }
    const pg::Params ids{"{" + oids + "}"};
    const auto columns = session.query(k_columns_sql, ids);
    const auto indexes = session.query(k_indexes_sql, ids);
    const auto constraints = session.query(k_constraints_sql, ids);
    if (rows != nullptr) {
        *rows += static_cast<std::uint64_t>(rels.rows() + columns.rows() + indexes.rows() + constraints.rows());
    }
    const auto columns_of = by_relation(columns, "oid", k_column_fields);
    const auto indexes_of = by_relation(indexes, "table_oid", k_index_fields);
    const auto constraints_of = by_relation(constraints, "table_oid", k_constraint_fields);
    const auto total = first_int(rels, "total_count");
    const int oid_col = rels.column("oid");
    const int relkind = rels.column("relkind");
    const auto relations = rows_json(rels, k_relation_fields, [&](int row, std::string& out) {
        append_member(out, "kind", relkind_name(rels.text(row, relkind)));
        const auto oid = oid_col < 0 ? 0 : rels.get_int(row, oid_col).value_or(0);
        append_list(out, "columns", columns_of, oid);
        append_list(out, "indexes", indexes_of, oid);
        append_list(out, "constraints", constraints_of, oid);
    });
    return object_text({{"database", session.database()},
                        {"relations_total", total},
                        {"relations_omitted", std::max<std::int64_t>(0, total - rels.rows())}},
                       {{"relations", relations}});
}

nlohmann::json read_schema(pg::Session& session, std::int64_t max_relations, std::uint64_t* rows) {
    return nlohmann::json::parse(schema_text(session, max_relations, rows));
}

std::unique_ptr<collect::Collector> make_schema() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context& ctx, collect::Output& out) {
            out.texts.push_back(schema_text(s, ctx.config.tuning.pg_schema_max_relations, &out.rows));
        },
        true);
}

} // namespace pga::collectors
