// pg_cache: see cache.hpp.
#include "pga/collectors/cache.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/session_collector.hpp"

namespace pga::collectors {

namespace {

const char* const k_database_sql = "SELECT s.blks_hit, s.blks_read FROM pg_catalog.pg_stat_database s"
                                   " WHERE s.datname = pg_catalog.current_database()";

const char* const k_tables_sql =
    "SELECT t.relid, t.schemaname, t.relname, t.heap_blks_hit, t.heap_blks_read, t.idx_blks_hit, t.idx_blks_read,"
    " t.toast_blks_hit, t.toast_blks_read, t.tidx_blks_hit, t.tidx_blks_read, count(*) OVER () AS total_count"
    " FROM pg_catalog.pg_statio_user_tables t"
    " ORDER BY COALESCE(t.heap_blks_hit, 0) + COALESCE(t.heap_blks_read, 0) DESC, t.relid LIMIT $1";

const char* const k_indexes_sql =
    "SELECT i.indexrelid, i.relid, i.schemaname, i.relname, i.indexrelname, i.idx_blks_hit, i.idx_blks_read,"
    " count(*) OVER () AS total_count FROM pg_catalog.pg_statio_user_indexes i"
    " ORDER BY COALESCE(i.idx_blks_hit, 0) + COALESCE(i.idx_blks_read, 0) DESC, i.indexrelid LIMIT $1";

constexpr Field k_table_fields[] = {
    {"relid", Kind::integer},         {"schemaname", Kind::text},        {"relname", Kind::text},
    {"heap_blks_hit", Kind::integer}, {"heap_blks_read", Kind::integer}, {"idx_blks_hit", Kind::integer},
    {"idx_blks_read", Kind::integer}, {"toast_blks_hit", Kind::integer}, {"toast_blks_read", Kind::integer},
    {"tidx_blks_hit", Kind::integer}, {"tidx_blks_read", Kind::integer},
};

constexpr Field k_index_fields[] = {
    {"indexrelid", Kind::integer},    {"relid", Kind::integer},     {"schemaname", Kind::text},
    {"relname", Kind::text},          {"indexrelname", Kind::text}, {"idx_blks_hit", Kind::integer},
    {"idx_blks_read", Kind::integer},
};

std::int64_t int_or_0(const nlohmann::json& o, const char* key) {
    return o[key].is_number() ? o[key].get<std::int64_t>() : 0;
}

nlohmann::json ratio_json(std::int64_t hit, std::int64_t read) {
    const auto r = hit_ratio(hit, read);
    return r ? nlohmann::json(*r) : nlohmann::json(nullptr);
}

// Adds the hit ratios of one pg_statio_user_tables row.
void add_table_ratios(nlohmann::json& t) {
    t["heap_hit_ratio"] = ratio_json(int_or_0(t, "heap_blks_hit"), int_or_0(t, "heap_blks_read"));
    t["idx_hit_ratio"] = ratio_json(int_or_0(t, "idx_blks_hit"), int_or_0(t, "idx_blks_read"));
    t["toast_hit_ratio"] = ratio_json(int_or_0(t, "toast_blks_hit"), int_or_0(t, "toast_blks_read"));
}

nlohmann::json capped_rows(const pg::Result& r, std::span<const Field> fields, bool tables) {
    auto out = nlohmann::json::array();
    for (int i = 0; i < r.rows(); ++i) {
        auto o = row_object(r, i, fields);
        if (tables) {
            add_table_ratios(o);
        } else {
            o["hit_ratio"] = ratio_json(int_or_0(o, "idx_blks_hit"), int_or_0(o, "idx_blks_read"));
        }
        out.push_back(std::move(o));
    }
    return out;
}

} // namespace

std::optional<double> hit_ratio(std::int64_t hit, std::int64_t read) {
    if (hit + read <= 0) {
        return std::nullopt;
    }
    return static_cast<double>(hit) / static_cast<double>(hit + read);
}

nlohmann::json read_cache(pg::Session& session, const CacheLimits& limits, std::uint64_t* rows) {
    const auto db = session.query(k_database_sql);
    const auto tables = session.query(k_tables_sql, {std::to_string(limits.max_tables)});
    const auto indexes = session.query(k_indexes_sql, {std::to_string(limits.max_indexes)});
    const std::int64_t hit = first_int(db, "blks_hit");
    const std::int64_t read = first_int(db, "blks_read");
    nlohmann::json o = {{"database", session.database()},
                        {"counters", "cumulative"},
                        {"blks_hit", hit},
                        {"blks_read", read},
                        {"hit_ratio", ratio_json(hit, read)}};
    o["tables"] = capped_rows(tables, k_table_fields, true);
    o["tables_omitted"] = std::max<std::int64_t>(0, first_int(tables, "total_count") - tables.rows());
    o["indexes"] = capped_rows(indexes, k_index_fields, false);
    o["indexes_omitted"] = std::max<std::int64_t>(0, first_int(indexes, "total_count") - indexes.rows());
    if (rows != nullptr) {
        *rows += static_cast<std::uint64_t>(db.rows() + tables.rows() + indexes.rows());
    }
    return o;
}

std::unique_ptr<collect::Collector> make_cache() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context& ctx, collect::Output& out) {
            const CacheLimits limits{ctx.config.tuning.pg_cache_max_tables, ctx.config.tuning.pg_cache_max_indexes};
            out.metrics.push_back(read_cache(s, limits, &out.rows));
        },
        true);
}

} // namespace pga::collectors
