// pg_io, pg_checkpointer, pg_wal and pg_settings against changes the tests cause: a CHECKPOINT
// moves the requested-checkpoint counter on both sides of the PG17 split, written data moves the
// WAL position and pg_stat_wal (14+), pg_stat_io has rows on 16+ and is "unavailable" below, and an
// ALTER SYSTEM + reload shows up as a change in the next pg_settings run.
#include "catalog_support.hpp"
#include "pga/collectors/factories.hpp"

using namespace pga::test;

namespace {

class CatalogServer : public PgTest {
protected:
    nlohmann::json once(std::string_view type, pga::collect::Collector& c) {
        const auto run = run_collector(type, c, server(), monitor_config(server()));
        EXPECT_EQ(batch_errors(run.metrics), std::vector<std::string>{});
        EXPECT_EQ(run.ok().size(), 1u) << nlohmann::json(run.metrics).dump(2);
        return run.ok().empty() ? nlohmann::json::object() : run.ok()[0];
    }
};

} // namespace

TEST_F(CatalogServer, io_has_client_backend_rows_on_16_and_is_unavailable_below) {
    auto c = pga::collectors::make_io();
    const auto run = run_collector("pg_io", *c, server(), monitor_config(server()));
    EXPECT_EQ(batch_errors(run.metrics), std::vector<std::string>{});
    ASSERT_EQ(run.metrics.size(), 1u);
    if (server().version_major() < 16) {
        EXPECT_EQ(run.metrics[0]["status"], "unavailable");
        EXPECT_NE(run.metrics[0]["reason"].get<std::string>().find("PostgreSQL 16"), std::string::npos);
        return;
    }
    bool found = false;
    for (const auto& r : run.metrics[0]["io"]) {
        if (r["backend_type"] == "client backend" && r["object"] == "relation" && r["context"] == "normal") {
            found = true;
            EXPECT_TRUE(r["hits"].is_number()) << r.dump();
            EXPECT_TRUE(r["reads"].is_number()) << r.dump();
        }
    }
    EXPECT_TRUE(found) << run.metrics[0].dump(2);
}

TEST_F(CatalogServer, checkpoint_moves_the_requested_counter) {
    auto c = pga::collectors::make_checkpointer();
    const auto before = once("pg_checkpointer", *c);
    EXPECT_EQ(before["source"], server().version_major() >= 17 ? "pg_stat_checkpointer" : "pg_stat_bgwriter");
    EXPECT_EQ(before["bgwriter"]["buffers_backend"].is_null(), server().version_major() >= 17);
    const auto n = before["checkpointer"]["num_requested"].get<std::int64_t>();
    server().exec_sql("CREATE TABLE IF NOT EXISTS ckpt_t AS SELECT 1 AS x; CHECKPOINT");
    nlohmann::json after;
    EXPECT_TRUE(wait_for([&] {
        after = once("pg_checkpointer", *c);
        return after["checkpointer"]["num_requested"].get<std::int64_t>() > n;
    }));
    EXPECT_GE(after["checkpointer"]["buffers_written"].get<std::int64_t>(), 0);
}

TEST_F(CatalogServer, written_data_moves_wal_position_and_stats) {
    auto c = pga::collectors::make_wal();
    const auto before = once("pg_wal", *c);
    server().exec_sql("CREATE TABLE wal_t AS SELECT g, repeat('w', 100) AS pad FROM generate_series(1, 10000) g");
    nlohmann::json after;
    const bool has_stats = server().version_major() >= 14;
    EXPECT_TRUE(wait_for([&] {
        after = once("pg_wal", *c);
        return !has_stats || after["stats"]["wal_bytes"].get<std::int64_t>() >
                                 before["stats"]["wal_bytes"].get<std::int64_t>() + 1'000'000;
    }));
    EXPECT_GT(after["position_bytes"].get<std::int64_t>(), before["position_bytes"].get<std::int64_t>() + 1'000'000);
    EXPECT_EQ(after["segment_size_bytes"], 16 * 1024 * 1024);
    EXPECT_GE(after["directory_bytes"].get<std::int64_t>(), 16 * 1024 * 1024);
    EXPECT_GE(after["segment_files"].get<std::int64_t>(), 1);
    EXPECT_EQ(after["stats"].is_null(), !has_stats);
}

TEST_F(CatalogServer, settings_send_everything_first_then_only_changes) {
    auto c = pga::collectors::make_settings();
    const auto first = once("pg_settings", *c);
    EXPECT_EQ(first["full"], true);
    bool work_mem = false;
    for (const auto& s : first["settings"]) {
        if (s["name"] == "work_mem") {
            work_mem = true;
            EXPECT_EQ(s["setting"], "4096");
            EXPECT_EQ(s["unit"], "kB");
        }
    }
    EXPECT_TRUE(work_mem);
    server().exec_sql("ALTER SYSTEM SET work_mem = '7MB'");
    server().exec_sql("SELECT pg_reload_conf()");
    nlohmann::json change;
    EXPECT_TRUE(wait_for([&] {
        const auto o = once("pg_settings", *c);
        for (const auto& ch : o["changes"]) {
            if (ch["name"] == "work_mem") {
                change = ch;
            }
        }
        return !change.is_null();
    }));
    server().exec_sql("ALTER SYSTEM RESET work_mem");
    server().exec_sql("SELECT pg_reload_conf()");
    EXPECT_EQ(change["old"]["setting"], "4096");
    EXPECT_EQ(change["new"]["setting"], "7168");
    EXPECT_EQ(change["new"]["source"], "configuration file");
    const auto quiet = once("pg_settings", *c);
    EXPECT_EQ(quiet["full"], false);
    EXPECT_TRUE(quiet["settings"].empty());
}
