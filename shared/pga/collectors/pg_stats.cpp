// pg_stats: see pg_stats.hpp.
#include "pga/collectors/pg_stats.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/row_json.hpp"

namespace pga::collectors {

namespace {

const std::string k_database_sql =
    "SELECT s.numbackends, s.xact_commit, s.xact_rollback, s.blks_read, s.blks_hit, s.tup_returned,"
    " s.tup_fetched, s.tup_inserted, s.tup_updated, s.tup_deleted, s.conflicts, s.temp_files, s.temp_bytes,"
    " s.deadlocks, s.blk_read_time, s.blk_write_time, " +
    rfc3339_sql("s.stats_reset", "stats_reset") +
    ", pg_catalog.pg_database_size(d.oid) AS size_bytes"
    " FROM pg_catalog.pg_database d LEFT JOIN pg_catalog.pg_stat_database s ON s.datid = d.oid"
    " WHERE d.datname = pg_catalog.current_database()";

const std::string k_tables_sql =
    "SELECT t.relid, t.schemaname, t.relname, t.seq_scan, t.seq_tup_read, t.idx_scan, t.idx_tup_fetch,"
    " t.n_tup_ins, t.n_tup_upd, t.n_tup_del, t.n_tup_hot_upd, t.n_live_tup, t.n_dead_tup,"
    " t.n_mod_since_analyze, t.vacuum_count, t.autovacuum_count, t.analyze_count, t.autoanalyze_count, " +
    rfc3339_sql("t.last_vacuum", "last_vacuum") + ", " + rfc3339_sql("t.last_autovacuum", "last_autovacuum") + ", " +
    rfc3339_sql("t.last_analyze", "last_analyze") + ", " + rfc3339_sql("t.last_autoanalyze", "last_autoanalyze") +
    ", sz.table_bytes, sz.indexes_bytes, sz.table_bytes + sz.indexes_bytes AS total_bytes,"
    " count(*) OVER () AS total_count FROM pg_catalog.pg_stat_user_tables t"
    // pg_total_relation_size is exactly table + indexes: sized once, not twice (OFFSET 0 keeps
    // the planner from copying the calls into each use).
    " CROSS JOIN LATERAL (SELECT pg_catalog.pg_table_size(t.relid) AS table_bytes,"
    " pg_catalog.pg_indexes_size(t.relid) AS indexes_bytes OFFSET 0) sz"
    " ORDER BY total_bytes DESC NULLS LAST, t.relid LIMIT $1";

const std::string k_indexes_sql =
    "SELECT i.indexrelid, i.relid, i.schemaname, i.relname, i.indexrelname, i.idx_scan, i.idx_tup_read,"
    " i.idx_tup_fetch, pg_catalog.pg_relation_size(i.indexrelid) AS size_bytes, count(*) OVER () AS total_count"
    " FROM pg_catalog.pg_stat_user_indexes i ORDER BY size_bytes DESC NULLS LAST, i.indexrelid LIMIT $1";

constexpr Field k_database_fields[] = {
    {"numbackends", Kind::integer},   {"xact_commit", Kind::integer},  {"xact_rollback", Kind::integer},
    {"blks_read", Kind::integer},     {"blks_hit", Kind::integer},     {"tup_returned", Kind::integer},
    {"tup_fetched", Kind::integer},   {"tup_inserted", Kind::integer}, {"tup_updated", Kind::integer},
    {"tup_deleted", Kind::integer},   {"conflicts", Kind::integer},    {"temp_files", Kind::integer},
    {"temp_bytes", Kind::integer},    {"deadlocks", Kind::integer},    {"blk_read_time", Kind::number},
    {"blk_write_time", Kind::number}, {"stats_reset", Kind::text},     {"size_bytes", Kind::integer},
};

constexpr Field k_table_fields[] = {
    {"relid", Kind::integer},         {"schemaname", Kind::text},
    {"relname", Kind::text},          {"seq_scan", Kind::integer},
    {"seq_tup_read", Kind::integer},  {"idx_scan", Kind::integer},
    {"idx_tup_fetch", Kind::integer}, {"n_tup_ins", Kind::integer},
    {"n_tup_upd", Kind::integer},     {"n_tup_del", Kind::integer},
    {"n_tup_hot_upd", Kind::integer}, {"n_live_tup", Kind::integer},
    {"n_dead_tup", Kind::integer},    {"n_mod_since_analyze", Kind::integer},
    {"vacuum_count", Kind::integer},  {"autovacuum_count", Kind::integer},
    {"analyze_count", Kind::integer}, {"autoanalyze_count", Kind::integer},
    {"last_vacuum", Kind::text},      {"last_autovacuum", Kind::text},
    {"last_analyze", Kind::text},     {"last_autoanalyze", Kind::text},
    {"table_bytes", Kind::integer},   {"indexes_bytes", Kind::integer},
    {"total_bytes", Kind::integer},
};

constexpr Field k_index_fields[] = {
    {"indexrelid", Kind::integer},   {"relid", Kind::integer},         {"schemaname", Kind::text},
    {"relname", Kind::text},         {"indexrelname", Kind::text},     {"idx_scan", Kind::integer},
    {"idx_tup_read", Kind::integer}, {"idx_tup_fetch", Kind::integer}, {"size_bytes", Kind::integer},
};

// Sets head[name + "_total"] and head[name + "_omitted"] and returns the rows of r as JSON text.
std::string capped(nlohmann::json& head, const std::string& name, const pg::Result& r, std::span<const Field> fields) {
    const std::int64_t total = r.rows() > 0 ? r.get_int(0, r.column("total_count")).value_or(0) : 0;
    head[name + "_total"] = total;
    head[name + "_omitted"] = std::max<std::int64_t>(0, total - r.rows());
    return rows_json(r, fields);
}

} // namespace

std::string pg_stats_text(pg::Session& session, const PgStatsLimits& limits, std::uint64_t* rows) {
    nlohmann::json head = {{"database", session.database()}, {"counters", "cumulative"}};
    const auto db = session.query(k_database_sql);
    head["database_stats"] = db.rows() > 0 ? row_object(db, 0, k_database_fields) : nlohmann::json(nullptr);
    const auto tables = session.query(k_tables_sql, {std::to_string(limits.max_tables)});
    const auto tables_text = capped(head, "tables", tables, k_table_fields);
    const auto indexes = session.query(k_indexes_sql, {std::to_string(limits.max_indexes)});
    const auto indexes_text = capped(head, "indexes", indexes, k_index_fields);
    if (rows != nullptr) {
        *rows += static_cast<std::uint64_t>(db.rows() + tables.rows() + indexes.rows());
    }
    return object_text(head, {{"tables", tables_text}, {"indexes", indexes_text}});
}

nlohmann::json read_pg_stats(pg::Session& session, const PgStatsLimits& limits, std::uint64_t* rows) {
    auto o = nlohmann::json::parse(pg_stats_text(session, limits, rows));
    o["type"] = "pg_stats";
    return o;
}

void PgStatsCollector::collect(const collect::Context& ctx, collect::Output& out) {
    const PgStatsLimits limits{ctx.config.tuning.pg_stats_max_tables, ctx.config.tuning.pg_stats_max_indexes};
    for (const auto& db : ctx.databases) {
        try {
            auto conn = ctx.borrow(db);
            out.texts.push_back(pg_stats_text(*conn, limits, &out.rows));
        } catch (const pg::Error& e) {
            out.errors.push_back({db, e.what()});
        }
    }
}

std::unique_ptr<collect::Collector> make_pg_stats() {
    return std::make_unique<PgStatsCollector>();
}

} // namespace pga::collectors
