// Unit tests of the catalog collectors' pure parts and of their SQL against scripted sessions:
// blocking chains, settings changes, hit ratios, array parsing, version branches.
#include "fake_session.hpp"
#include "pga/collectors/cache.hpp"
#include "pga/collectors/checkpointer.hpp"
#include "pga/collectors/connections.hpp"
#include "pga/collectors/io.hpp"
#include "pga/collectors/locks.hpp"
#include "pga/collectors/schema.hpp"
#include "pga/collectors/session_collector.hpp"
#include "pga/collectors/settings.hpp"
#include "pga/collectors/wal.hpp"

#include <gtest/gtest.h>

using namespace pga::collectors;
using pga::pg::Result;
using pga::test::FakeSession;

TEST(CatalogHelpers, parses_postgres_int_arrays) {
    EXPECT_EQ(parse_int_array("{12,34,5}"), (std::vector<std::int64_t>{12, 34, 5}));
    EXPECT_TRUE(parse_int_array("{}").empty());
    EXPECT_TRUE(parse_int_array("junk").empty());
}

TEST(CatalogHelpers, blocking_chain_roots_are_the_blockers_that_do_not_wait) {
    // 30 waits on 20, 20 waits on 10, 40 waits on 10 and 20.
    const auto c = blocking_chains({{30, {20}}, {20, {10}}, {40, {10, 20}}});
    EXPECT_EQ(c.at(30).roots, (std::vector<std::int64_t>{10}));
    EXPECT_EQ(c.at(30).depth, 2);
    EXPECT_EQ(c.at(20).depth, 1);
    EXPECT_EQ(c.at(40).roots, (std::vector<std::int64_t>{10}));
}

TEST(CatalogHelpers, blocking_chain_cycle_terminates) {
    const auto c = blocking_chains({{1, {2}}, {2, {1}}});
    EXPECT_TRUE(c.at(1).roots.empty());
}

TEST(CatalogHelpers, settings_changes_lists_changed_added_and_removed) {
    SettingsSnapshot before{{"work_mem", {"4096", "kB", "default", false}}, {"gone", {"1", "", "default", false}}};
    SettingsSnapshot after{{"work_mem", {"8192", "kB", "configuration file", false}},
                           {"new_one", {"on", "", "default", false}}};
    const auto c = settings_changes(before, after);
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0]["name"], "new_one");
    EXPECT_TRUE(c[0]["old"].is_null());
    EXPECT_EQ(c[1]["name"], "work_mem");
    EXPECT_EQ(c[1]["old"]["setting"], "4096");
    EXPECT_EQ(c[1]["new"]["setting"], "8192");
    EXPECT_EQ(c[2]["name"], "gone");
    EXPECT_TRUE(c[2]["new"].is_null());
    EXPECT_TRUE(settings_changes(after, after).empty());
}

TEST(CatalogHelpers, hit_ratio_is_null_without_any_access) {
    EXPECT_FALSE(hit_ratio(0, 0));
    EXPECT_DOUBLE_EQ(*hit_ratio(3, 1), 0.75);
}

TEST(CatalogHelpers, relkind_names_cover_partitioned_tables_and_matviews) {
    EXPECT_EQ(relkind_name("p"), "partitioned_table");
    EXPECT_EQ(relkind_name("m"), "materialized_view");
    EXPECT_EQ(relkind_name("r"), "table");
}

TEST(CatalogHelpers, cache_treats_null_counters_as_zero) {
    FakeSession s(150000, "app");
    s.on("pg_stat_database", Result({"blks_hit", "blks_read"}, {{"90", "10"}}));
    s.on("pg_statio_user_tables",
         Result({"relid", "relname", "heap_blks_hit", "heap_blks_read", "idx_blks_hit", "idx_blks_read", "total_count"},
                {{"1", "t", "5", "5", std::nullopt, std::nullopt, "3"}}));
    s.on("pg_statio_user_indexes",
         Result({"indexrelid", "idx_blks_hit", "idx_blks_read", "total_count"}, {{"9", "3", "1", "1"}}));
    const auto o = read_cache(s, {1, 1}, nullptr);
    EXPECT_DOUBLE_EQ(o["indexes"][0]["hit_ratio"].get<double>(), 0.75);
    EXPECT_EQ(o["indexes_omitted"], 0);
    EXPECT_DOUBLE_EQ(o["hit_ratio"].get<double>(), 0.9);
    EXPECT_DOUBLE_EQ(o["tables"][0]["heap_hit_ratio"].get<double>(), 0.5);
    EXPECT_TRUE(o["tables"][0]["idx_blks_hit"].is_null());
    EXPECT_TRUE(o["tables"][0]["idx_hit_ratio"].is_null());
    EXPECT_EQ(o["tables_omitted"], 2);
}

TEST(CatalogHelpers, connections_never_select_query_text_by_default) {
    FakeSession s;
    s.on("GROUP BY", Result({"state", "wait_event_type", "wait_event", "backend_type", "database", "count"},
                            {{"active", "", "", "client backend", "postgres", "2"},
                             {"idle in transaction", "Client", "ClientRead", "client backend", "app", "1"}}));
    s.on("max_connections", Result({"max_connections", "superuser_reserved_connections"}, {{"100", "3"}}));
    s.on("LIMIT $2", Result({"pid", "state"}, {{"77", "idle in transaction"}}));
    const auto o = read_connections(s, {}, nullptr);
    EXPECT_EQ(s.queries.back().find(", a.query FROM"), std::string::npos);
    EXPECT_EQ(o["total"], 3);
    EXPECT_EQ(o["by_state"]["idle in transaction"], 1);
    EXPECT_EQ(o["by_wait_event"]["Client:ClientRead"], 1);
    EXPECT_EQ(o["long_running"][0]["pid"], 77);
    EXPECT_FALSE(o["long_running"][0].contains("query"));
    EXPECT_EQ(o["long_running_idle_in_transaction"], 1);
}

TEST(CatalogHelpers, connections_send_obfuscated_text_or_null_when_enabled) {
    FakeSession s;
    s.on("GROUP BY", Result({"state", "wait_event_type", "wait_event", "backend_type", "database", "count"}, {}));
    s.on("max_connections", Result({"max_connections", "superuser_reserved_connections"}, {{"100", "3"}}));
    s.on("LIMIT $2", Result({"pid", "query"}, {{"1", "SELECT 'pw'"}, {"2", "SELECT 'trunc"}}));
    const auto o = read_connections(s, {true, 60, 10}, nullptr);
    EXPECT_EQ(o["long_running"][0]["query"], "SELECT ?");
    EXPECT_TRUE(o["long_running"][1]["query"].is_null());
}

TEST(CatalogHelpers, checkpointer_reads_bgwriter_before_17_and_checkpointer_from_17) {
    FakeSession old(160000);
    old.on("pg_stat_bgwriter", Result({"num_timed", "num_requested", "buffers_backend"}, {{"3", "4", "9"}}));
    const auto a = read_checkpointer(old, nullptr);
    EXPECT_EQ(a["source"], "pg_stat_bgwriter");
    EXPECT_EQ(a["checkpointer"]["num_requested"], 4);
    EXPECT_EQ(a["bgwriter"]["buffers_backend"], 9);
    EXPECT_EQ(old.queries[0].find("pg_stat_checkpointer"), std::string::npos);

    FakeSession v17(170000);
    v17.on("pg_stat_checkpointer", Result({"num_timed", "num_requested"}, {{"1", "2"}}));
    const auto b = read_checkpointer(v17, nullptr);
    EXPECT_EQ(b["source"], "pg_stat_checkpointer");
    EXPECT_EQ(b["checkpointer"]["num_requested"], 2);
    EXPECT_TRUE(b["bgwriter"]["buffers_backend"].is_null());
    EXPECT_NE(v17.queries[0].find("NULL::int8 AS num_done"), std::string::npos);
}

TEST(CatalogHelpers, io_is_unavailable_below_16_without_a_query) {
    FakeSession s(150000);
    pga::collect::Output out;
    read_io(s, out);
    EXPECT_TRUE(out.metrics.empty());
    EXPECT_NE(out.unavailable.find("PostgreSQL 16"), std::string::npos);
    EXPECT_TRUE(s.queries.empty());
}

TEST(CatalogHelpers, wal_stats_are_null_with_a_reason_on_13) {
    FakeSession s(130000);
    s.on("pg_ls_waldir", Result({"position_bytes", "directory_bytes"}, {{"100", "16777216"}}));
    const auto o = read_wal(s, nullptr);
    EXPECT_TRUE(o["stats"].is_null());
    EXPECT_EQ(o["directory_bytes"], 16777216);
    EXPECT_NE(o["stats_unavailable"].get<std::string>().find("14"), std::string::npos);
}
