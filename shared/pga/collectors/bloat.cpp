// pg_bloat: see bloat.hpp.
#include "pga/collectors/bloat.hpp"

#include "pga/collectors/bloat_sql.hpp"
#include "pga/collectors/factories.hpp"
#include "pga/collectors/session_collector.hpp"

namespace pga::collectors {

namespace {

const char* const k_pgstattuple_schema_sql =
    "SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
    " WHERE e.extname = 'pgstattuple'";

constexpr Field k_table_fields[] = {
    {"relid", Kind::integer},           {"schemaname", Kind::text},     {"relname", Kind::text},
    {"real_size_bytes", Kind::integer}, {"bloat_bytes", Kind::integer}, {"bloat_percent", Kind::number},
};
constexpr Field k_index_fields[] = {
    {"indexrelid", Kind::integer},   {"schemaname", Kind::text},         {"relname", Kind::text},
    {"indexrelname", Kind::text},    {"real_size_bytes", Kind::integer}, {"bloat_bytes", Kind::integer},
    {"bloat_percent", Kind::number},
};
constexpr Field k_measure_fields[] = {
    {"real_size_bytes", Kind::integer}, {"bloat_bytes", Kind::integer}, {"bloat_percent", Kind::number}};

struct Estimates {
    nlohmann::json items = nlohmann::json::array();
    std::int64_t without_estimate = 0;
    std::int64_t measure_errors = 0;
};

// Measures one relation with measure_sql; returns false (and leaves o alone) when it fails.
bool measure(pg::Session& session, const std::string& measure_sql, nlohmann::json& o, const char* oid_key) {
    try {
        const auto r = session.query(measure_sql, {std::to_string(o[oid_key].get<std::int64_t>())});
        if (r.rows() == 0) {
            return false;
        }
        o.update(row_object(r, 0, k_measure_fields));
        o["method"] = "pgstattuple";
        return true;
    } catch (const pg::Error&) {
        return false; // dropped meanwhile, lock timeout, no privilege: no estimate for this one
    }
}

// Turns the estimate rows into items: statistics-based where possible, else measured (when
// measure_sql is set, up to options.max_measured), else counted as without an estimate.
Estimates estimates(pg::Session& session, const pg::Result& r, std::span<const Field> fields, const char* oid_key,
                    const std::string& measure_sql, const BloatOptions& options) {
    Estimates e;
    std::int64_t measured = 0;
    for (int i = 0; i < r.rows() && static_cast<std::int64_t>(e.items.size()) < options.max_relations; ++i) {
        auto o = row_object(r, i, fields);
        if (!r.get_bool(i, r.column("is_na")).value_or(true)) {
            o["method"] = "statistics";
        } else if (measure_sql.empty() || measured >= options.max_measured) {
            ++e.without_estimate;
            continue;
        } else if (++measured; !measure(session, measure_sql, o, oid_key)) {
            ++e.measure_errors;
            ++e.without_estimate;
            continue;
        }
        e.items.push_back(std::move(o));
    }
    return e;
}

} // namespace

nlohmann::json read_bloat(pg::Session& session, const BloatOptions& options, std::uint64_t* rows) {
    const auto ext = session.value(k_pgstattuple_schema_sql);
    const std::string schema = ext ? session.quote_identifier(*ext) : "";
    const pg::Params min_pages{std::to_string(options.min_pages)};
    const auto tables = session.query(k_table_bloat_sql, min_pages);
    const auto indexes = session.query(k_index_bloat_sql, min_pages);
    auto t = estimates(session, tables, k_table_fields, "relid", ext ? table_approx_sql(schema) : "", options);
    auto i = estimates(session, indexes, k_index_fields, "indexrelid", ext ? index_approx_sql(schema) : "", options);
    if (rows != nullptr) {
        *rows += static_cast<std::uint64_t>(tables.rows() + indexes.rows());
    }
    return {{"database", session.database()},
            {"pgstattuple_available", ext.has_value()},
            {"tables", std::move(t.items)},
            {"tables_without_estimate", t.without_estimate},
            {"indexes", std::move(i.items)},
            {"indexes_without_estimate", i.without_estimate},
            {"measure_errors", t.measure_errors + i.measure_errors}};
}

std::unique_ptr<collect::Collector> make_bloat() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context& ctx, collect::Output& out) {
            const auto& t = ctx.config.tuning;
            const BloatOptions options{t.pg_bloat_min_pages, t.pg_bloat_max_relations, t.pg_bloat_max_measured};
            out.metrics.push_back(read_bloat(s, options, &out.rows));
        },
        true);
}

} // namespace pga::collectors
