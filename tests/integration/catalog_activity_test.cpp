// pg_connections and pg_cache against activity the tests create: an idle-in-transaction session
// is listed as long-running (its query text absent by default, obfuscated when enabled), and a table
// read repeatedly shows its buffer hits.
#include "catalog_support.hpp"
#include "pga/collectors/factories.hpp"

#include <thread>

using namespace pga::test;

class CatalogActivity : public PgTest {};

TEST_F(CatalogActivity, idle_in_transaction_session_is_listed_and_its_text_obfuscated) {
    RawSession idle(server().superuser_conninfo_params());
    idle.exec("BEGIN; SELECT 'topsecret' AS s, 4242 AS n");
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    auto config = monitor_config(server());
    config.tuning.pg_connections_long_running_s = 1;
    auto collector = pga::collectors::make_connections();

    const auto find_idle = [&](const CollectorRun& run) {
        EXPECT_EQ(run.ok().size(), 1u) << nlohmann::json(run.metrics).dump(2);
        EXPECT_EQ(batch_errors(run.metrics), std::vector<std::string>{});
        const auto ok = run.ok();
        if (ok.empty()) {
            return nlohmann::json::object();
        }
        for (const auto& s : ok[0]["long_running"]) {
            if (s["pid"] == idle.pid()) {
                return s;
            }
        }
        ADD_FAILURE() << "idle session not listed: " << ok[0].dump(2);
        return nlohmann::json::object();
    };
    const auto plain = run_collector("pg_connections", *collector, server(), config);
    auto s = find_idle(plain);
    EXPECT_EQ(s["state"], "idle in transaction");
    EXPECT_GE(s["xact_duration_s"].get<double>(), 1.0);
    EXPECT_FALSE(s.contains("query"));
    const auto o = plain.ok().at(0);
    EXPECT_GE(o["by_state"]["idle in transaction"].get<int>(), 1);
    EXPECT_GE(o["by_backend_type"]["client backend"].get<int>(), 2);
    EXPECT_EQ(o["max_connections"], 100);
    EXPECT_GE(o["long_running_idle_in_transaction"].get<int>(), 1);

    config.tuning.pg_connections_include_query_text = true;
    const auto with_text = run_collector("pg_connections", *collector, server(), config);
    EXPECT_EQ(find_idle(with_text)["query"], "BEGIN; SELECT ? AS s, ? AS n");
    EXPECT_EQ(nlohmann::json(with_text.metrics).dump().find("topsecret"), std::string::npos);
    idle.exec("ROLLBACK");
}

TEST_F(CatalogActivity, repeatedly_read_table_shows_cache_hits) {
    server().exec_sql("DROP TABLE IF EXISTS cache_t; CREATE TABLE cache_t AS SELECT g FROM generate_series(1, 5000) g");
    for (int i = 0; i < 5; ++i) {
        server().exec_sql("SELECT count(*) FROM cache_t");
    }
    ASSERT_TRUE(wait_for([&] {
        return std::stoll(server().query_value(
                   "SELECT COALESCE(heap_blks_hit, 0) FROM pg_statio_user_tables WHERE relname = 'cache_t'")) > 0;
    }));
    auto collector = pga::collectors::make_cache();
    const auto run = run_collector("pg_cache", *collector, server(), monitor_config(server()));
    ASSERT_EQ(run.ok().size(), 1u) << nlohmann::json(run.metrics).dump(2);
    EXPECT_EQ(batch_errors(run.metrics), std::vector<std::string>{});
    const auto o = run.ok()[0];
    EXPECT_EQ(o["database"], "postgres");
    EXPECT_GT(o["blks_hit"].get<std::int64_t>(), 0);
    EXPECT_GT(o["hit_ratio"].get<double>(), 0.0);
    nlohmann::json t;
    for (const auto& x : o["tables"]) {
        if (x["relname"] == "cache_t") {
            t = x;
        }
    }
    ASSERT_FALSE(t.is_null()) << o.dump(2);
    EXPECT_GT(t["heap_blks_hit"].get<std::int64_t>(), 0);
    EXPECT_GT(t["heap_hit_ratio"].get<double>(), 0.0);
    EXPECT_LE(t["heap_hit_ratio"].get<double>(), 1.0);
    EXPECT_TRUE(t["toast_blks_hit"].is_null()); // no TOAST table: NULL stays null
}

TEST_F(CatalogActivity, max_sessions_caps_the_long_running_list_longest_first) {
    RawSession a(server().superuser_conninfo_params());
    RawSession b(server().superuser_conninfo_params());
    RawSession c(server().superuser_conninfo_params());
    for (auto* s : {&a, &b, &c}) {
        s->exec("BEGIN; SELECT 1");
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    auto config = monitor_config(server());
    config.tuning.pg_connections_long_running_s = 1;
    auto collector = pga::collectors::make_connections();
    nlohmann::json full;
    nlohmann::json list;
    // Another session (an autovacuum worker) turning long-running or ending between the two runs
    // shifts the positions: up to 5 pairs of runs, until both saw the same oldest two.
    for (int attempt = 0; attempt < 5; ++attempt) {
        const auto all = run_collector("pg_connections", *collector, server(), config); // at most 100
        ASSERT_EQ(all.ok().size(), 1u) << nlohmann::json(all.metrics).dump(2);
        full = all.ok()[0]["long_running"];
        ASSERT_GE(full.size(), 3u);
        auto capped_config = config;
        capped_config.tuning.pg_connections_max_sessions = 2;
        const auto capped = run_collector("pg_connections", *collector, server(), capped_config);
        ASSERT_EQ(capped.ok().size(), 1u) << nlohmann::json(capped.metrics).dump(2);
        list = capped.ok()[0]["long_running"];
        ASSERT_EQ(list.size(), 2u) << list.dump(2);
        if (list[0]["pid"] == full[0]["pid"] && list[1]["pid"] == full[1]["pid"]) {
            break;
        }
    }
    EXPECT_EQ(list[0]["pid"], full[0]["pid"]) << full.dump(2); // the oldest first, as in the full list
    EXPECT_EQ(list[1]["pid"], full[1]["pid"]);
    std::vector<int> ours;
    for (const auto& s : full) {
        if (s["pid"] == a.pid() || s["pid"] == b.pid() || s["pid"] == c.pid()) {
            ours.push_back(s["pid"].get<int>());
        }
    }
    EXPECT_EQ(ours, (std::vector<int>{a.pid(), b.pid(), c.pid()}));
    for (auto* s : {&a, &b, &c}) {
        s->exec("ROLLBACK");
    }
}
