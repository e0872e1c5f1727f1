// Integration tests of pga-bench's floor on the shared PostgreSQL: recorded queries are replayed
// on real connections (one untimed replay, then `repeats` timed ones), one bare connection is
// priced, and a database that cannot be reached ends the measurement with errors instead of
// looping.
#include "catalog_support.hpp"
#include "engine_support.hpp"
#include "pga/cli/bench/floor.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

using namespace pga;

namespace {

class FloorTest : public test::PgTest {
protected:
    void SetUp() override {
        PgTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        test::ensure_database(server(), "floor_a");
    }

    // Records sql on database as one worker thread would have run it.
    static void record(cli::bench::QueryRecorder& recorder, const std::string& database, const std::string& sql,
                       pg::Params params = {}) {
        recorder.on_query(database, sql, params);
    }
};

} // namespace

TEST_F(FloorTest, replays_recorded_queries_on_every_database_and_prices_one_connection) {
    cli::bench::QueryRecorder recorder;
    record(recorder, "postgres", "SELECT count(*) FROM pg_class");
    record(recorder, "postgres", "SELECT $1::int + 1", {std::string("41")});
    record(recorder, "floor_a", "SELECT count(*) FROM pg_attribute");
    const auto queries = recorder.take();
    ASSERT_EQ(queries.size(), 3U);
    EXPECT_TRUE(recorder.take().empty());

    const auto r = cli::bench::measure_floor(queries, test::monitor_params(server()), 2, 4, 3);
    EXPECT_EQ(r.queries, 3U);
    EXPECT_EQ(r.databases, 2U);
    EXPECT_EQ(r.errors, 0U);
    EXPECT_EQ(r.first_error, "");
    EXPECT_FALSE(r.connects_in_timing);
    EXPECT_EQ(r.wall_ms.count, 3U);
    EXPECT_GT(r.wall_ms.min, 0.0);
    EXPECT_GT(r.connect_ms, 0.0);
}

TEST_F(FloorTest, more_databases_than_pool_max_size_puts_connecting_in_the_timing) {
    cli::bench::QueryRecorder recorder;
    record(recorder, "postgres", "SELECT 1");
    record(recorder, "floor_a", "SELECT 1");
    const auto r = cli::bench::measure_floor(recorder.take(), test::monitor_params(server()), 1, 1, 2);
    EXPECT_TRUE(r.connects_in_timing);
    EXPECT_EQ(r.errors, 0U);
    EXPECT_EQ(r.wall_ms.count, 2U);
}

TEST_F(FloorTest, a_database_that_cannot_be_reached_ends_with_errors_not_a_loop) {
    cli::bench::QueryRecorder recorder;
    record(recorder, "floor_missing_db", "SELECT 1");
    record(recorder, "floor_missing_db", "SELECT 2");
    struct Outcome {
        std::atomic<bool> finished{false};
        cli::bench::FloorResult result;
    };
    auto outcome = std::make_shared<Outcome>();
    std::thread([outcome, queries = recorder.take(), params = test::monitor_params(server())] {
        outcome->result = cli::bench::measure_floor(queries, params, 1, 2, 2);
        outcome->finished = true;
    }).detach();
    for (int i = 0; i < 600 && !outcome->finished; ++i) { // 60 s: each failed connect takes a few ms
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(outcome->finished) << "measure_floor did not return for a database that does not exist";
    const auto& r = outcome->result;
    EXPECT_EQ(r.connect_ms, 0.0);
    EXPECT_EQ(r.databases, 1U);
    EXPECT_GE(r.errors, 1U);
    EXPECT_NE(r.first_error.find("floor_missing_db"), std::string::npos) << r.first_error;
}

TEST_F(FloorTest, a_statement_that_fails_is_counted_and_named_and_the_rest_of_its_run_goes_on) {
    cli::bench::QueryRecorder recorder;
    record(recorder, "postgres", "SELECT * FROM floor_no_such_table");
    record(recorder, "postgres", "SELECT 1");
    const auto r = cli::bench::measure_floor(recorder.take(), test::monitor_params(server()), 1, 2, 2);
    EXPECT_EQ(r.errors, 1U); // of the last replay: one per replay, not summed
    EXPECT_NE(r.first_error.find("floor_no_such_table"), std::string::npos) << r.first_error;
    EXPECT_NE(r.first_error.find("(on SELECT * FROM floor_no_such_table)"), std::string::npos) << r.first_error;
    EXPECT_EQ(r.wall_ms.count, 2U);
}
