// pg_cache: see cache.hpp.
#include "pga/collectors/cache.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/row_json.hpp"
#include "pga/collectors/session_collector.hpp"

#include <array>

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

nlohmann::json ratio_json(std::int64_t hit, std::int64_t read) {
    const auto r = hit_ratio(hit, read);
    return r ? nlohmann::json(*r) : nlohmann::json(nullptr);
}

// Returns the rows of r as JSON text, each with the hit ratio of every (hit, read) column pair.
std::string rows_with_ratios(const pg::Result& r, std::span<const Field> fields,
                             std::initializer_list<std::array<const char*, 3>> ratios) {
    std::vector<std::array<int, 2>> columns;
    for (const auto& [name, hit, read] : ratios) {
        columns.push_back({r.column(hit), r.column(read)});
    }
    // As the counter's JSON value read back as an integer: a fraction truncated, NULL 0.
    const auto int_or_0 = [&](int row, int c) -> std::int64_t {
        if (c < 0 || r.is_null(row, c)) {
            return 0;
        }
        if (const auto i = r.get_int(row, c)) {
            return *i;
        }
        const double d = r.get_double(row, c).value_or(0);
        return d >= 9.2e18 || d <= -9.2e18 || d != d ? 0 : static_cast<std::int64_t>(d);
    };
    return rows_json(r, fields, [&](int row, std::string& out) {
        std::size_t i = 0;
        for (const auto& ratio : ratios) {
            const auto& c = columns[i++];
            append_member(out, ratio[0], ratio_json(int_or_0(row, c[0]), int_or_0(row, c[1])));
        }
    });
}

} // namespace

std::optional<double> hit_ratio(std::int64_t hit, std::int64_t read) {
    if (hit + read <= 0) {
        return std::nullopt;
    }
    return static_cast<double>(hit) / static_cast<double>(hit + read);
}

std::string cache_text(pg::Session& session, const CacheLimits& limits, std::uint64_t* rows) {
    const auto db = session.query(k_database_sql);
    const auto tables = session.query(k_tables_sql, {std::to_string(limits.max_tables)});
    const auto indexes = session.query(k_indexes_sql, {std::to_string(limits.max_indexes)});
    const std::int64_t hit = first_int(db, "blks_hit");
    const std::int64_t read = first_int(db, "blks_read");
    const nlohmann::json head = {
        {"database", session.database()},
        {"counters", "cumulative"},
        {"blks_hit", hit},
        {"blks_read", read},
        {"hit_ratio", ratio_json(hit, read)},
        {"tables_omitted", std::max<std::int64_t>(0, first_int(tables, "total_count") - tables.rows())},
        {"indexes_omitted", std::max<std::int64_t>(0, first_int(indexes, "total_count") - indexes.rows())}};
    if (rows != nullptr) {
        *rows += static_cast<std::uint64_t>(db.rows() + tables.rows() + indexes.rows());
    }
    const auto tables_text = rows_with_ratios(tables, k_table_fields,
                                              {{"heap_hit_ratio", "heap_blks_hit", "heap_blks_read"},
                                               {"idx_hit_ratio", "idx_blks_hit", "idx_blks_read"},
                                               {"toast_hit_ratio", "toast_blks_hit", "toast_blks_read"}});
    const auto indexes_text =
        rows_with_ratios(indexes, k_index_fields, {{"hit_ratio", "idx_blks_hit", "idx_blks_read"}});
    return object_text(head, {{"tables", tables_text}, {"indexes", indexes_text}});
}

nlohmann::json read_cache(pg::Session& session, const CacheLimits& limits, std::uint64_t* rows) {
    return nlohmann::json::parse(cache_text(session, limits, rows));
}

std::unique_ptr<collect::Collector> make_cache() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context& ctx, collect::Output& out) {
            const CacheLimits limits{ctx.config.tuning.pg_cache_max_tables, ctx.config.tuning.pg_cache_max_indexes};
            out.texts.push_back(cache_text(s, limits, &out.rows));
        },
        true);
}

} // namespace pga::collectors
