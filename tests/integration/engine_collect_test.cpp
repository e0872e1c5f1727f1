// Integration tests of the collection engine on the shared PostgreSQL, through the same CronLoop
// the service runs: real values under the right database, dead tuples, failures that stay
// alone, awkward database names, the pool cap during cycles, and the status file.
#include "catalog_support.hpp"
#include "engine_support.hpp"
#include "pga/cli/cron_loop.hpp"
#include "pga/collect/envelope.hpp"

#include <span>
#include <thread>

using namespace pga;
using namespace std::chrono_literals;

namespace {

class EngineTest : public test::PgTest {
protected:
    // Runs `cycles` cycles of a CronLoop on config; returns the batches. With created_after, also
    // the pool's count of connections created after each cycle.
    std::vector<collect::Batch> run_cycles(const config::Config& config, int cycles = 1,
                                           std::shared_ptr<pg::Pool>* pool_out = nullptr,
                                           std::vector<std::uint64_t>* created_after = nullptr) {
        test::CaptureSink sink;
        cli::LoopControl control;
        cli::LoopSettings settings;
        settings.once = true;
        settings.write_state = !config.collector.state_dir.empty();
        cli::CronLoop loop(std::make_shared<const config::Config>(config), sink, settings, control);
        for (int i = 0; i < cycles; ++i) {
            loop.cycle(util::SteadyClock::now() + std::chrono::hours(i));
            if (created_after != nullptr) {
                created_after->push_back(loop.pool()->stats().created);
            }
        }
        if (pool_out != nullptr) {
            *pool_out = loop.pool();
        }
        return sink.batches();
    }

    // Returns the single object of objects (null, and a failure, when there is not exactly one).
    nlohmann::json only(const std::vector<nlohmann::json>& objects) {
        EXPECT_EQ(objects.size(), 1u);
        return objects.empty() ? nlohmann::json() : objects.front();
    }
};

std::int64_t calls_of(const nlohmann::json& query_stats, const std::string& text_part) {
    std::int64_t calls = 0;
    for (const auto& q : query_stats["queries"]) {
        if (q["text"].is_string() && q["text"].get<std::string>().find(text_part) != std::string::npos) {
            calls += q["calls"].get<std::int64_t>();
        }
    }
    return calls;
}

} // namespace

TEST_F(EngineTest, a_statement_run_k_times_appears_with_its_calls_under_its_database_only) {
    test::recreate_database(server(), "eng_qs_a");
    test::recreate_database(server(), "eng_qs_b");
    server().exec_sql("CREATE TABLE marker_kq7 (x int)", "eng_qs_a");
    server().exec_sql("CREATE TABLE other_tbl (x int)", "eng_qs_b");
    constexpr int k = 7;
    for (int i = 0; i < k; ++i) {
        server().exec_sql("SELECT count(*) FROM marker_kq7 WHERE x > " + std::to_string(i), "eng_qs_a");
    }
    auto config = test::engine_config(server(), "", {"eng_qs_a", "eng_qs_b"});
    config.postgresql.query_stats_limit = 10000;
    const auto batches = run_cycles(config);
    ASSERT_EQ(batches.size(), 1u);
    const auto& a = only(test::objects(batches[0], "pg_query_stats", "eng_qs_a"));
    const auto& b = only(test::objects(batches[0], "pg_query_stats", "eng_qs_b"));
    EXPECT_EQ(a["status"], "ok");
    EXPECT_GE(calls_of(a, "marker_kq7"), k);
    EXPECT_EQ(calls_of(b, "marker_kq7"), 0);
    EXPECT_GT(a["sampling_percent"].get<double>(), 0.0);
    EXPECT_LE(a["sampling_percent"].get<double>(), 100.0);
    EXPECT_EQ(a["counters"], "cumulative");
    EXPECT_TRUE(test::batch_errors(batches[0].metrics).empty());
}

TEST_F(EngineTest, a_table_with_known_rows_and_dead_tuples_shows_them) {
    test::recreate_database(server(), "eng_tuples");
    server().exec_sql("CREATE TABLE counted (id int) WITH (autovacuum_enabled = off)", "eng_tuples");
    server().exec_sql("INSERT INTO counted SELECT g FROM generate_series(1, 1000) g", "eng_tuples");
    server().exec_sql("DELETE FROM counted WHERE id <= 250", "eng_tuples");
    // The statistics arrive late (PostgreSQL 13 and 14 send them over UDP): wait for them first,
    // generously, then let the cycles show them.
    ASSERT_TRUE(test::wait_for(
        [&] {
            return server().query_value("SELECT coalesce(max(n_dead_tup), 0) FROM pg_stat_user_tables WHERE relname = "
                                        "'counted'",
                                        "eng_tuples") == "250";
        },
        30000));
    const auto config = test::engine_config(server(), "", {"eng_tuples"});
    nlohmann::json table;
    ASSERT_TRUE(test::wait_for([&] {
        const auto batches = run_cycles(config);
        const auto& stats = only(test::objects(batches.at(0), "pg_stats", "eng_tuples"));
        for (const auto& t : stats["tables"]) {
            if (t["relname"] == "counted") {
                table = t;
            }
        }
        return table.is_object() && table["n_live_tup"] == 750 && table["n_dead_tup"] == 250;
    })) << table.dump();
    EXPECT_EQ(table["n_tup_ins"], 1000);
    EXPECT_EQ(table["n_tup_del"], 250);
    EXPECT_GT(table["table_bytes"].get<std::int64_t>(), 8192);
    EXPECT_TRUE(table["last_vacuum"].is_null());
}

TEST_F(EngineTest, a_database_the_role_may_not_connect_to_fails_alone) {
    test::recreate_database(server(), "eng_ok");
    test::recreate_database(server(), "eng_denied");
    server().exec_sql("REVOKE CONNECT ON DATABASE eng_denied FROM PUBLIC");
    const auto batches = run_cycles(test::engine_config(server(), "", {"eng_ok", "eng_denied"}));
    const auto& b = batches.at(0);
    const auto& denied = only(test::objects(b, "pg_stats", "eng_denied"));
    EXPECT_EQ(denied["status"], "error");
    EXPECT_NE(denied["error"].get<std::string>().find("permission denied"), std::string::npos) << denied;
    EXPECT_EQ(only(test::objects(b, "pg_stats", "eng_ok"))["status"], "ok");
    EXPECT_EQ(only(test::objects(b, "pg_query_stats", "eng_ok"))["status"], "ok");
    EXPECT_EQ(only(test::objects(b, "sysstat"))["status"], "ok");
    EXPECT_EQ(only(test::objects(b, "disk_usage"))["status"], "ok");
}

TEST_F(EngineTest, a_collector_hitting_statement_timeout_fails_alone) {
    test::recreate_database(server(), "eng_locked");
    test::recreate_database(server(), "eng_free");
    server().exec_sql("CREATE TABLE held (x int)", "eng_locked");
    test::RawSession holder(server().superuser_conninfo_params("eng_locked"));
    holder.exec("BEGIN");
    holder.exec("LOCK TABLE held IN ACCESS EXCLUSIVE MODE");
    auto config = test::engine_config(server(), "", {"eng_locked", "eng_free"});
    // Applies to every connection: long enough that the others' statements finish on a loaded
    // machine (pg_query_stats reads the whole query text file), while the lock holds forever.
    config.postgresql.statement_timeout_ms = 2000;
    config.postgresql.lock_timeout_ms = 20000;
    const auto batches = run_cycles(config);
    holder.exec("ROLLBACK");
    const auto& b = batches.at(0);
    const auto& locked = only(test::objects(b, "pg_stats", "eng_locked"));
    EXPECT_EQ(locked["status"], "error");
    EXPECT_NE(locked["error"].get<std::string>().find("statement timeout"), std::string::npos) << locked;
    EXPECT_EQ(only(test::objects(b, "pg_stats", "eng_free"))["status"], "ok");
    EXPECT_EQ(only(test::objects(b, "pg_query_stats", "eng_locked"))["status"], "ok");
    EXPECT_EQ(only(test::objects(b, "sysstat"))["status"], "ok");
}

TEST_F(EngineTest, awkward_database_names_are_collected_under_their_own_name_as_valid_json) {
    const std::vector<std::string> names = {"we\"ird'name", "with space", "a=b",
                                            "\xc3\xbc"
                                            "n\xc3\xaf"
                                            "c\xc3\xb8"
                                            "d\xc3\xa9",
                                            "dbname=postgres host=/nonexistent"};
    for (const auto& n : names) {
        test::recreate_database(server(), n);
    }
    server().exec_sql("CREATE TABLE only_here (x int)", "dbname=postgres host=/nonexistent");
    const auto batches = run_cycles(test::engine_config(server(), "", {})); // discovery finds them
    const auto& b = batches.at(0);
    for (const auto& n : names) {
        const auto& stats = only(test::objects(b, "pg_stats", n));
        EXPECT_EQ(stats["status"], "ok") << n << ": " << stats;
        EXPECT_GT(stats["database_stats"]["size_bytes"].get<std::int64_t>(), 0) << n;
        EXPECT_EQ(only(test::objects(b, "pg_query_stats", n))["status"], "ok") << n;
    }
    const auto tables_of = [&](const std::string& db) {
        std::vector<std::string> t;
        const auto stats = only(test::objects(b, "pg_stats", db));
        for (const auto& table : stats["tables"]) {
            t.push_back(table["relname"]);
        }
        return t;
    };
    EXPECT_EQ(tables_of("dbname=postgres host=/nonexistent"), std::vector<std::string>{"only_here"});
    const auto in_postgres = tables_of("postgres");
    EXPECT_EQ(std::count(in_postgres.begin(), in_postgres.end(), "only_here"), 0);
    const auto text = collect::dump_json(collect::make_envelope(b, {"id", "host", "3.3.0"}));
    const auto parsed = nlohmann::json::parse(text);
    EXPECT_EQ(parsed["metrics_count"], b.metrics.size());
    EXPECT_TRUE(test::batch_errors(b.metrics).empty());
}

TEST_F(EngineTest, the_pool_cap_holds_during_cycles_and_every_connection_is_accounted_for) {
    const std::vector<std::string> dbs = {"eng_p1", "eng_p2", "eng_p3", "eng_p4"};
    for (const auto& d : dbs) {
        test::recreate_database(server(), d);
    }
    auto config = test::engine_config(server(), "", dbs);
    config.postgresql.pool_max_size = 2;
    config.threading.thread_pool_size = 4;
    const auto before = server().query_value("SELECT coalesce(string_agg(pid::text, ','), '0') FROM pg_stat_activity "
                                             "WHERE application_name = 'pganalytics'");
    const auto held = [&] {
        return test::held_connections(server(), "application_name = 'pganalytics' AND pid NOT IN (" + before + ")");
    };
    std::atomic<bool> done{false};
    std::atomic<int> most{0};
    std::thread watcher([&] {
        while (!done) {
            // Counted while the client holds them: a closed connection's backend stays listed while it exits.
            most = std::max(most.load(), held());
            std::this_thread::sleep_for(5ms);
        }
    });
    std::shared_ptr<pg::Pool> pool;
    const auto batches = run_cycles(config, 3, &pool);
    done = true;
    watcher.join();
    most = std::max(most.load(), held()); // the pool's idle connections are still open
    EXPECT_GT(most.load(), 0);
    EXPECT_LE(most.load(), 2);
    EXPECT_EQ(batches.size(), 3u);
    // Four workers contend for two connections, so how many borrows reuse one depends on
    // scheduling (reuse is asserted in later_cycles_reuse_the_connections_of_the_first); every
    // borrow was served, and every connection not left idle was closed.
    test::expect_every_connection_accounted_for(pool->stats());
    for (const auto& d : dbs) {
        EXPECT_EQ(only(test::objects(batches.back(), "pg_stats", d))["status"], "ok") << d;
    }
}

TEST_F(EngineTest, with_more_databases_than_workers_a_cycle_opens_at_most_one_connection_per_database) {
    const std::vector<std::string> dbs = {"eng_b1", "eng_b2", "eng_b3", "eng_b4", "eng_b5"};
    for (const auto& d : dbs) {
        test::recreate_database(server(), d);
    }
    auto config = test::engine_config(server(), "", dbs);
    for (const char* type : {"pg_cache", "pg_schema", "pg_bloat"}) {
        config.metrics[type].enabled = true;
    }
    config.postgresql.pool_max_size = 3;
    config.threading.thread_pool_size = 3;
    std::shared_ptr<pg::Pool> pool;
    const int cycles = 4;
    const auto batches = run_cycles(config, cycles, &pool);
    ASSERT_EQ(batches.size(), static_cast<std::size_t>(cycles));
    // The types of one database run as one task on one connection, and the cluster-wide types as
    // one task on one connection to "postgres" (shared with the probe); each task holds its
    // database in the pool, so another task at the cap does not close its connection between two
    // of its types: per cycle at most one new connection per database, 6 for 6 (without the hold,
    // now and then 25 in 4 cycles). Without the bundling, the types of one database run at
    // once on several connections, and the pool (3 connections for 6 databases) closes and
    // reopens far more often (85 here); with the cluster-wide types side by side, 28.
    const auto bound = static_cast<std::uint64_t>(cycles) * (dbs.size() + 1);
    EXPECT_LE(pool->stats().created, bound);
    EXPECT_LE(pool->stats().created, pool->stats().acquisitions);
    for (const auto& d : dbs) {
        for (const char* type : {"pg_stats", "pg_cache", "pg_schema"}) {
            EXPECT_EQ(only(test::objects(batches.back(), type, d))["status"], "ok") << type << " " << d;
        }
    }
}

TEST_F(EngineTest, later_cycles_reuse_the_connections_of_the_first) {
    auto config = test::engine_config(server(), "", {"postgres"});
    // One worker: how many runs overlap, and so how many connections a cycle needs at once, does
    // not change from cycle to cycle.
    config.threading.thread_pool_size = 1;
    std::shared_ptr<pg::Pool> pool;
    std::vector<std::uint64_t> created;
    const auto batches = run_cycles(config, 4, &pool, &created);
    ASSERT_EQ(created.size(), 4u);
    EXPECT_GT(created.front(), 0u);
    EXPECT_EQ(created.back(), created.front()); // nothing opened after the first cycle
    EXPECT_GT(pool->stats().reuses, pool->stats().created);
    // On a reused connection the statements run prepared (pg_query_stats' cursor included).
    ASSERT_EQ(batches.size(), 4u);
    for (const auto& batch : std::span(batches).subspan(1)) { // the later cycles
        for (const auto& type : test::k_core_types) {
            const auto objects = test::objects(batch, type);
            ASSERT_FALSE(objects.empty()) << type;
            for (const auto& o : objects) {
                EXPECT_EQ(o["status"], "ok") << type << ": " << o.dump();
            }
        }
    }
}

TEST_F(EngineTest, each_cycle_writes_the_status_file_and_a_persisted_sequence) {
    const auto dir = test::scratch_dir("engine-status");
    const auto config = test::engine_config(server(), dir, {"postgres"});
    const auto batches = run_cycles(config, 2);
    ASSERT_EQ(batches.size(), 2u);
    EXPECT_EQ(batches[1].sequence, batches[0].sequence + 1);
    EXPECT_NE(batches[0].batch_id, batches[1].batch_id);
    std::string error;
    const auto status = state::read_status(dir, &error);
    ASSERT_TRUE(status) << error;
    EXPECT_EQ((*status)["cycles"], 2);
    EXPECT_EQ((*status)["last_cycle"]["sequence"], batches[1].sequence);
    for (const auto& type : test::k_core_types) {
        EXPECT_EQ((*status)["collectors"][type]["status"], "ok") << type;
    }
    EXPECT_GT((*status)["collectors"]["pg_query_stats"]["rows"].get<int>(), 0);
    EXPECT_GT((*status)["pool"]["acquisitions"].get<int>(), 0);
    EXPECT_EQ((*status)["delivery"]["sink"], "capture");
    const auto third = run_cycles(config, 1);
    EXPECT_EQ(third.at(0).sequence, batches[1].sequence + 1); // survives a restart
    std::filesystem::remove_all(dir);
}

TEST_F(EngineTest, a_cycle_that_overruns_its_interval_skips_the_next_tick_and_counts_it) {
    test::recreate_database(server(), "eng_slow");
    server().exec_sql("CREATE TABLE held (x int)", "eng_slow");
    const auto dir = test::scratch_dir("engine-overrun");
    auto config = test::engine_config(server(), dir, {"eng_slow"});
    config.collector.interval_s = 1;
    for (const auto& type : test::k_core_types) {
        config.metrics[type].interval_s = 1;
    }
    config.postgresql.lock_timeout_ms = 2500; // pg_stats waits 2.5 s on the held lock: longer than the interval
    test::RawSession holder(server().superuser_conninfo_params("eng_slow"));
    holder.exec("BEGIN");
    holder.exec("LOCK TABLE held IN ACCESS EXCLUSIVE MODE");
    test::CaptureSink sink;
    cli::LoopControl control;
    cli::LoopSettings settings;
    cli::CronLoop loop(std::make_shared<const config::Config>(config), sink, settings, control);
    std::thread runner([&] { loop.run(); });
    const bool two_cycles = test::wait_for([&] { return sink.batches().size() >= 2; }, 20000);
    control.request_stop();
    runner.join();
    holder.exec("ROLLBACK");
    ASSERT_TRUE(two_cycles);
    EXPECT_GE(loop.status().skipped_ticks, 1u);
    const auto batches = sink.batches();
    const auto gap = batches[1].created - batches[0].created;
    EXPECT_GE(gap, 2s); // the next cycle started on a later tick, not right after the slow one
    std::filesystem::remove_all(dir);
}
