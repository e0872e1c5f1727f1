// pg_checkpointer: see checkpointer.hpp. Column names of the normalised shape follow
// pg_stat_checkpointer (17+); the queries rename the older pg_stat_bgwriter columns to them.
#include "pga/collectors/checkpointer.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/session_collector.hpp"

namespace pga::collectors {

namespace {

const std::string k_before17_sql =
    "SELECT b.checkpoints_timed AS num_timed, b.checkpoints_req AS num_requested, NULL::int8 AS num_done,"
    " NULL::int8 AS restartpoints_timed, NULL::int8 AS restartpoints_req, NULL::int8 AS restartpoints_done,"
    " b.checkpoint_write_time AS write_time, b.checkpoint_sync_time AS sync_time,"
    " b.buffers_checkpoint AS buffers_written, NULL::int8 AS slru_written, " +
    rfc3339_sql("b.stats_reset", "checkpointer_stats_reset") +
    ", b.buffers_clean, b.maxwritten_clean, b.buffers_alloc, b.buffers_backend, b.buffers_backend_fsync, " +
    rfc3339_sql("b.stats_reset", "bgwriter_stats_reset") + " FROM pg_catalog.pg_stat_bgwriter b";

std::string since17_sql(int version) {
    const bool v18 = version >= 180000;
    return std::string("SELECT c.num_timed, c.num_requested, ") + (v18 ? "c.num_done" : "NULL::int8 AS num_done") +
           ", c.restartpoints_timed, c.restartpoints_req, c.restartpoints_done, c.write_time, c.sync_time,"
           " c.buffers_written, " +
           (v18 ? "c.slru_written" : "NULL::int8 AS slru_written") + ", " +
           rfc3339_sql("c.stats_reset", "checkpointer_stats_reset") +
           ", b.buffers_clean, b.maxwritten_clean, b.buffers_alloc, NULL::int8 AS buffers_backend,"
           " NULL::int8 AS buffers_backend_fsync, " +
           rfc3339_sql("b.stats_reset", "bgwriter_stats_reset") +
           " FROM pg_catalog.pg_stat_checkpointer c CROSS JOIN pg_catalog.pg_stat_bgwriter b";
}

constexpr Field k_checkpointer_fields[] = {
    {"num_timed", Kind::integer},
    {"num_requested", Kind::integer},
    {"num_done", Kind::integer},
    {"restartpoints_timed", Kind::integer},
    {"restartpoints_req", Kind::integer},
    {"restartpoints_done", Kind::integer},
    {"write_time", Kind::number},
    {"sync_time", Kind::number},
    {"buffers_written", Kind::integer},
    {"slru_written", Kind::integer},
    {"checkpointer_stats_reset", Kind::text},
};

constexpr Field k_bgwriter_fields[] = {
    {"buffers_clean", Kind::integer},   {"maxwritten_clean", Kind::integer},      {"buffers_alloc", Kind::integer},
    {"buffers_backend", Kind::integer}, {"buffers_backend_fsync", Kind::integer}, {"bgwriter_stats_reset", Kind::text},
};

// Returns o with the "<prefix>stats_reset" key renamed to "stats_reset".
nlohmann::json rename_reset(nlohmann::json o, const std::string& key) {
    o["stats_reset"] = o[key];
    o.erase(key);
    return o;
}

} // namespace

nlohmann::json read_checkpointer(pg::Session& session, std::uint64_t* rows) {
    const int version = session.server_version();
    const auto r = session.query(version >= 170000 ? since17_sql(version) : k_before17_sql);
    if (rows != nullptr) {
        *rows += static_cast<std::uint64_t>(r.rows());
    }
    return {{"counters", "cumulative"},
            {"source", version >= 170000 ? "pg_stat_checkpointer" : "pg_stat_bgwriter"},
            {"checkpointer", rename_reset(row_object(r, 0, k_checkpointer_fields), "checkpointer_stats_reset")},
            {"bgwriter", rename_reset(row_object(r, 0, k_bgwriter_fields), "bgwriter_stats_reset")}};
}

std::unique_ptr<collect::Collector> make_checkpointer() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context&, collect::Output& out) {
            out.metrics.push_back(read_checkpointer(s, &out.rows));
        },
        false);
}

} // namespace pga::collectors
