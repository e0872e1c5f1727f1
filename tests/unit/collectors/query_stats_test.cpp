// Unit tests of pg_query_stats on a scripted session: the split by database name from pg_database,
// the per-database top-N and sampling_percent, texts fetched only for new statements, the
// version-aware column mapping, and "unavailable" instead of an error when the extension is absent.
#include "fake_session.hpp"
#include "pga/collectors/query_stats.hpp"
#include "pga/collectors/query_stats_sql.hpp"

#include <gtest/gtest.h>

using namespace pga;
using pga::test::FakeSession;

namespace {

const std::vector<std::string> k_stat_columns = {
    "datname",     "dbid", "queryid",       "calls",     "total_time",      "min_time", "max_time",
    "sum_squares", "rows", "blk_read_time", "wal_bytes", "query_plan_time", "rank",     "present"};

// One stats row: database, dbid, queryid, calls, total ms, present statements in that database.
pg::Result::FakeRow stat_row(const std::string& db, int dbid, std::int64_t queryid, int calls, double total,
                             int present) {
    const double mean = total / calls;
    return {db,
            std::to_string(dbid),
            std::to_string(queryid),
            std::to_string(calls),
            std::to_string(total),
            "1",
            "9",
            std::to_string(calls * mean * mean),
            "10",
            "0.5",
            std::nullopt,
            "0",
            "1",
            std::to_string(present)};
}

void script_extension(FakeSession& s, const std::vector<std::string>& columns) {
    s.on("pg_catalog.pg_extension", pg::Result({"nspname"}, {{"public"}}));
    std::vector<pg::Result::FakeRow> rows;
    for (const auto& c : columns) {
        rows.push_back({c});
    }
    s.on("pg_catalog.pg_attribute", pg::Result({"attname"}, rows));
    // The statistics are read through a cursor in a transaction, the texts under a savepoint.
    for (const char* command : {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "DECLARE"}) {
        s.on(command, pg::Result({}, {}));
    }
}

// Returns the parameters of the first query containing key.
pg::Params params_of(const FakeSession& s, const std::string& key) {
    for (std::size_t i = 0; i < s.queries.size(); ++i) {
        if (s.queries[i].find(key) != std::string::npos) {
            return s.all_params.at(i);
        }
    }
    return {};
}

std::vector<std::string> pg15_columns() {
    return {"userid",         "dbid",
            "queryid",        "query",
            "calls",          "total_exec_time",
            "mean_exec_time", "min_exec_time",
            "max_exec_time",  "stddev_exec_time",
            "rows",           "blk_read_time",
            "blk_write_time", "wal_bytes",
            "total_plan_time"};
}

} // namespace

// The objects of a run: pg_query_stats writes them as text (collect::Output::texts).
std::vector<nlohmann::json> objects(const collect::Output& out) {
    std::vector<nlohmann::json> all(out.metrics.begin(), out.metrics.end());
    for (const auto& text : out.texts) {
        all.push_back(nlohmann::json::parse(text));
    }
    return all;
}

TEST(QueryStats, splits_rows_by_the_database_name_of_their_dbid) {
    FakeSession s;
    script_extension(s, pg15_columns());
    s.on("FETCH",
         pg::Result(k_stat_columns, {stat_row("app", 16384, 11, 5, 50, 3), stat_row("app", 16384, 12, 2, 10, 3),
                                     stat_row("postgres", 5, 21, 7, 70, 1), stat_row("other", 99, 31, 1, 1, 1)}));
    s.on("pg_stat_statements(true)",
         pg::Result({"dbid", "queryid", "query"},
                    {{"16384", "11", "SELECT 1"}, {"16384", "12", "SELECT 2"}, {"5", "21", "SELECT 3"}}));
    collectors::QueryStatsReader reader;
    collect::Output out;
    reader.read(s, {2, {"app", "postgres"}}, out);
    EXPECT_TRUE(out.metrics.empty());
    const auto all = objects(out);
    ASSERT_EQ(all.size(), 2u);
    const auto& app = all[0];
    EXPECT_EQ(app["database"], "app");
    EXPECT_EQ(app["counters"], "cumulative");
    ASSERT_EQ(app["queries"].size(), 2u);
    EXPECT_EQ(app["queries"][0]["hash"], 11);
    EXPECT_EQ(app["queries"][0]["calls"], 5);
    EXPECT_EQ(app["queries"][0]["text"], "SELECT 1");
    EXPECT_DOUBLE_EQ(app["queries"][0]["mean_time"].get<double>(), 10.0);
    EXPECT_DOUBLE_EQ(app["queries"][0]["stddev_time"].get<double>(), 0.0);
    EXPECT_TRUE(app["queries"][0]["wal_bytes"].is_null());
    EXPECT_NEAR(app["sampling_percent"].get<double>(), 200.0 / 3.0, 1e-9);
    EXPECT_EQ(app["statements_present"], 3);
    EXPECT_FALSE(app.contains("type")); // the manager adds type, timestamp and status
    const auto& pg = all[1];
    EXPECT_EQ(pg["database"], "postgres");
    ASSERT_EQ(pg["queries"].size(), 1u);
    EXPECT_EQ(pg["queries"][0]["hash"], 21);
    EXPECT_EQ(out.rows, 3u);
    // texts of the unmonitored database are not read
    EXPECT_EQ(params_of(s, "pg_stat_statements(true)").at(0), "{21,11,12}");
    EXPECT_EQ(s.queries.back(), "COMMIT");
}

TEST(QueryStats, reads_texts_only_for_statements_not_seen_before) {
    FakeSession s;
    script_extension(s, pg15_columns());
    s.on("FETCH", pg::Result(k_stat_columns, {stat_row("app", 1, 11, 1, 1, 1)}));
    s.on("pg_stat_statements(true)", pg::Result({"dbid", "queryid", "query"}, {{"1", "11", "SELECT 1"}}));
    collectors::QueryStatsReader reader;
    collect::Output first;
    reader.read(s, {100, {"app"}}, first);
    collect::Output second;
    reader.read(s, {100, {"app"}}, second);
    int text_reads = 0;
    for (const auto& q : s.queries) {
        text_reads += q.find("pg_stat_statements(true)") != std::string::npos ? 1 : 0;
    }
    EXPECT_EQ(text_reads, 1);
    EXPECT_EQ(objects(second).at(0)["queries"][0]["text"], "SELECT 1");
}

TEST(QueryStats, monitored_database_without_statements_reports_an_empty_list) {
    FakeSession s;
    script_extension(s, pg15_columns());
    s.on("FETCH", pg::Result(k_stat_columns, {}));
    collectors::QueryStatsReader reader;
    collect::Output out;
    reader.read(s, {100, {"quiet"}}, out);
    const auto all = objects(out);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0]["database"], "quiet");
    EXPECT_TRUE(all[0]["queries"].is_array());
    EXPECT_TRUE(all[0]["queries"].empty());
    EXPECT_EQ(all[0]["sampling_percent"], 100.0);
}

TEST(QueryStats, statements_are_fetched_in_batches_and_a_text_failure_keeps_the_cursor) {
    FakeSession s;
    script_extension(s, pg15_columns());
    std::vector<pg::Result::FakeRow> full;
    for (int i = 0; i < 1000; ++i) {
        full.push_back(stat_row(i % 2 == 0 ? "app" : "other", i % 2 == 0 ? 1 : 2, 100 + i, 1, 1, 600));
    }
    std::vector<pg::Result> batches;
    batches.emplace_back(k_stat_columns, full);
    batches.emplace_back(k_stat_columns, std::vector<pg::Result::FakeRow>{stat_row("app", 1, 5000, 1, 1, 600)});
    batches.emplace_back(k_stat_columns, std::vector<pg::Result::FakeRow>{});
    s.on_each("FETCH", std::move(batches));
    s.fail("pg_stat_statements(true)", "canceling statement due to statement timeout", "57014");
    collectors::QueryStatsReader reader;
    collect::Output out;
    reader.read(s, {1000, {"app", "other"}}, out);
    const auto all = objects(out);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0]["queries"].size(), 501u);
    EXPECT_EQ(all[0]["queries"][500]["hash"], 5000);
    EXPECT_TRUE(all[0]["queries"][0]["text"].is_null()); // the texts failed; the entries stay
    EXPECT_EQ(all[1]["queries"].size(), 500u);
    EXPECT_EQ(out.rows, 1001u);
    int fetches = 0;
    int rollbacks_to_savepoint = 0;
    for (const auto& q : s.queries) {
        fetches += q.rfind("FETCH 1000 FROM", 0) == 0 ? 1 : 0;
        rollbacks_to_savepoint += q.rfind("ROLLBACK TO SAVEPOINT", 0) == 0 ? 1 : 0;
    }
    EXPECT_EQ(fetches, 2); // the second batch was short: no third fetch
    EXPECT_EQ(rollbacks_to_savepoint, 2);
    EXPECT_EQ(s.queries.back(), "COMMIT");
}

TEST(QueryStats, a_failed_read_rolls_its_transaction_back) {
    FakeSession s;
    script_extension(s, pg15_columns());
    s.fail("FETCH", "permission denied for function pg_stat_statements", "42501");
    collectors::QueryStatsReader reader;
    collect::Output out;
    EXPECT_THROW(reader.read(s, {100, {"postgres"}}, out), pg::Error);
    EXPECT_EQ(s.queries.back(), "ROLLBACK");
}

TEST(QueryStats, a_spent_budget_stops_the_reading_before_the_next_fetch) {
    FakeSession s;
    script_extension(s, pg15_columns());
    std::vector<pg::Result::FakeRow> full;
    for (int i = 0; i < 1000; ++i) {
        full.push_back(stat_row("app", 1, 100 + i, 1, 1, 2000));
    }
    s.on("FETCH", pg::Result(k_stat_columns, full)); // always a full batch: only the budget ends it
    s.on("pg_stat_statements(true)", pg::Result({"dbid", "queryid", "query"}, {}));
    int checks = 0;
    collectors::QueryStatsOptions options{100, {"app"}, [&] { return ++checks > 4; }};
    collectors::QueryStatsReader reader;
    collect::Output out;
    EXPECT_THROW(reader.read(s, options, out), pg::Error);
    EXPECT_EQ(s.queries.back(), "ROLLBACK");
    EXPECT_TRUE(out.texts.empty());
}

TEST(QueryStats, not_preloaded_at_the_first_fetch_is_unavailable_and_rolled_back) {
    FakeSession s;
    script_extension(s, pg15_columns());
    s.fail("FETCH", "pg_stat_statements must be loaded via shared_preload_libraries", "55000");
    collectors::QueryStatsReader reader;
    collect::Output out;
    reader.read(s, {100, {"postgres"}}, out);
    EXPECT_NE(out.unavailable.find("shared_preload_libraries"), std::string::npos);
    EXPECT_EQ(s.queries.back(), "ROLLBACK");
    EXPECT_EQ(params_of(s, "DECLARE").at(0), "100"); // the per-database limit, bound as a parameter
}

TEST(QueryStats, missing_extension_is_unavailable_not_an_error) {
    FakeSession s;
    s.on("pg_catalog.pg_extension", pg::Result({"nspname"}, {}));
    collectors::QueryStatsReader reader;
    collect::Output out;
    reader.read(s, {100, {"postgres"}}, out);
    EXPECT_TRUE(objects(out).empty());
    EXPECT_NE(out.unavailable.find("CREATE EXTENSION pg_stat_statements"), std::string::npos);
}

TEST(QueryStats, extension_not_preloaded_is_unavailable) {
    FakeSession s;
    script_extension(s, pg15_columns());
    s.fail("pg_stat_statements(false)", "pg_stat_statements must be loaded via shared_preload_libraries", "55000");
    collectors::QueryStatsReader reader;
    collect::Output out;
    reader.read(s, {100, {"postgres"}}, out);
    EXPECT_NE(out.unavailable.find("shared_preload_libraries"), std::string::npos);
}

TEST(QueryStats, other_failures_propagate) {
    FakeSession s;
    script_extension(s, pg15_columns());
    s.fail("pg_stat_statements(false)", "permission denied for function pg_stat_statements", "42501");
    collectors::QueryStatsReader reader;
    collect::Output out;
    EXPECT_THROW(reader.read(s, {100, {"postgres"}}, out), pg::Error);
}

TEST(QueryStatsSql, pg17_block_times_map_to_blk_read_time) {
    const auto sql = collectors::query_stats_sql(
        "\"public\"", {"total_exec_time", "shared_blk_read_time", "shared_blk_write_time", "blk_read_time"});
    EXPECT_NE(sql.find("shared_blk_read_time AS blk_read_time"), std::string::npos);
    EXPECT_NE(sql.find("shared_blk_write_time AS blk_write_time"), std::string::npos);
    EXPECT_NE(sql.find("total_exec_time AS total_time"), std::string::npos);
    EXPECT_NE(sql.find("\"public\".pg_stat_statements(false)"), std::string::npos);
}

TEST(QueryStatsSql, pg13_columns_and_missing_wal_columns_become_null) {
    const auto pg13 = collectors::query_stats_sql(
        "\"s\"", {"total_exec_time", "blk_read_time", "blk_write_time", "wal_bytes", "total_plan_time"});
    EXPECT_NE(pg13.find("blk_read_time AS blk_read_time"), std::string::npos);
    EXPECT_NE(pg13.find("total_plan_time AS query_plan_time"), std::string::npos);
    const auto old = collectors::query_stats_sql("\"s\"", {"total_time", "blk_read_time"});
    EXPECT_NE(old.find("total_time AS total_time"), std::string::npos);
    EXPECT_NE(old.find("NULL AS wal_bytes"), std::string::npos);
}
