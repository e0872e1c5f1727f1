// Unit tests of pg_stats on a scripted session: database row, capped table and index lists with the
// number left out, NULL timestamps kept as null, and the database label from the session.
#include "fake_session.hpp"
#include "pga/collectors/pg_stats.hpp"

#include <gtest/gtest.h>

using namespace pga;
using pga::test::FakeSession;

TEST(PgStats, reports_capped_tables_and_indexes_with_the_count_left_out) {
    FakeSession s(150000, "shop \"main\"");
    s.on("pg_catalog.pg_stat_database",
         pg::Result({"numbackends", "xact_commit", "stats_reset", "size_bytes"}, {{"3", "42", std::nullopt, "8192"}}));
    s.on("pg_catalog.pg_stat_user_tables",
         pg::Result({"relid", "relname", "n_live_tup", "n_dead_tup", "last_vacuum", "total_bytes", "total_count"},
                    {{"16400", "orders", "90", "10", std::nullopt, "65536", "5"},
                     {"16410", "items", "3", "0", "2026-01-01T00:00:00Z", "8192", "5"}}));
    s.on("pg_catalog.pg_stat_user_indexes", pg::Result({"indexrelid", "indexrelname", "size_bytes", "total_count"},
                                                       {{"16401", "orders_pkey", "16384", "1"}}));
    std::uint64_t rows = 0;
    const auto o = collectors::read_pg_stats(s, {2, 10}, &rows);
    EXPECT_EQ(o["type"], "pg_stats");
    EXPECT_EQ(o["database"], "shop \"main\"");
    EXPECT_EQ(o["database_stats"]["xact_commit"], 42);
    EXPECT_TRUE(o["database_stats"]["stats_reset"].is_null());
    ASSERT_EQ(o["tables"].size(), 2u);
    EXPECT_EQ(o["tables"][0]["relname"], "orders");
    EXPECT_EQ(o["tables"][0]["n_dead_tup"], 10);
    EXPECT_TRUE(o["tables"][0]["last_vacuum"].is_null());
    EXPECT_EQ(o["tables"][1]["last_vacuum"], "2026-01-01T00:00:00Z");
    EXPECT_EQ(o["tables_total"], 5);
    EXPECT_EQ(o["tables_omitted"], 3);
    EXPECT_EQ(o["indexes_omitted"], 0);
    EXPECT_EQ(o["indexes"][0]["size_bytes"], 16384);
    EXPECT_EQ(rows, 4u);
    EXPECT_EQ(s.last_params.at(0), "10"); // max_indexes bound as a parameter
}

TEST(PgStats, empty_database_reports_zero_totals) {
    FakeSession s(150000, "empty");
    s.on("pg_catalog.pg_stat_database", pg::Result({"numbackends"}, {{"1"}}));
    s.on("pg_catalog.pg_stat_user_tables", pg::Result({"relid", "total_count"}, {}));
    s.on("pg_catalog.pg_stat_user_indexes", pg::Result({"indexrelid", "total_count"}, {}));
    const auto o = collectors::read_pg_stats(s, {200, 200}, nullptr);
    EXPECT_TRUE(o["tables"].empty());
    EXPECT_EQ(o["tables_total"], 0);
    EXPECT_EQ(o["tables_omitted"], 0);
}
