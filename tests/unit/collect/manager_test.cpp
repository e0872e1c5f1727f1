// Unit tests of the CollectorManager with fake collectors (no database): status on every object,
// one failure not emptying the batch, per-database runs, version gating, time budgets, intervals.
#include "pga/collect/manager.hpp"

#include <gtest/gtest.h>
#include <optional>
#include <thread>

using namespace pga;
using namespace std::chrono_literals;

namespace {

std::atomic<int> g_runs{0};

class Ok final : public collect::Collector {
public:
    void collect(const collect::Context&, collect::Output& out) override {
        ++g_runs;
        out.metrics.push_back({{"value", 1}});
        out.rows = 1;
    }
};

class Texts final : public collect::Collector {
public:
    void collect(const collect::Context&, collect::Output& out) override {
        out.texts.emplace_back(R"({"database":"app","queries":[{"hash":1}]})");
        out.texts.emplace_back("{}");
        out.texts.emplace_back("{ \n}");
    }
};

// A collector with a bug: besides one good object of each kind, an array and a text that is not
// an object.
class Malformed final : public collect::Collector {
public:
    void collect(const collect::Context&, collect::Output& out) override {
        out.metrics.push_back({{"value", 1}});
        out.metrics.push_back(nlohmann::json::array({1, 2}));
        out.texts.emplace_back(R"({"value":2})");
        out.texts.emplace_back("[3]");
        out.texts.emplace_back("");
    }
};

std::atomic<int> g_cluster_now{0};
std::atomic<int> g_cluster_most{0};

// A cluster-wide collector that records how many cluster-wide runs overlap.
class Overlap final : public collect::Collector {
public:
    void collect(const collect::Context&, collect::Output& out) override {
        const int now = ++g_cluster_now;
        int most = g_cluster_most.load();
        while (now > most && !g_cluster_most.compare_exchange_weak(most, now)) {
        }
        // Waits (up to 2 s, within its 10 s budget) for a second cluster-wide run to start: side by
        // side one does at once; one after the other none ever does, so the wait runs out.
        const auto until = std::chrono::steady_clock::now() + 2s;
        while (g_cluster_most.load() < 2 && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(2ms);
        }
        --g_cluster_now;
        out.metrics.push_back({{"value", 1}});
    }
};

class Fails final : public collect::Collector {
public:
    void collect(const collect::Context&, collect::Output&) override { throw pg::Error("boom"); }
};

class PerDb final : public collect::Collector {
public:
    void collect(const collect::Context& ctx, collect::Output& out) override {
        for (const auto& db : ctx.databases) {
            if (db == "bad") {
                out.errors.push_back({db, "permission denied for database bad"});
            } else {
                out.metrics.push_back({{"database", db}});
            }
        }
    }
    bool per_database() const override { return true; }
};

class Slow final : public collect::Collector {
public:
    void collect(const collect::Context& ctx, collect::Output&) override {
        while (!ctx.expired()) {
            std::this_thread::sleep_for(10ms);
        }
        throw pg::Error("canceling statement due to user request");
    }
};

class Missing final : public collect::Collector {
public:
    void collect(const collect::Context&, collect::Output& out) override { out.unavailable = "extension missing"; }
};

template <class T> std::unique_ptr<collect::Collector> make() {
    return std::make_unique<T>();
}

collect::CollectorInfo info(std::string_view name, std::unique_ptr<collect::Collector> (*f)(), int min_version = 0,
                            int timeout_s = 1) {
    return {name, "test", 60, timeout_s, min_version, "none", true, f};
}

struct Rig {
    std::shared_ptr<config::Config> config = std::make_shared<config::Config>();
    std::shared_ptr<pg::Pool> pool = std::make_shared<pg::Pool>(pg::ConnParams{}, pg::PoolOptions{});

    collect::CycleInput input(util::SteadyClock::time_point tick, std::vector<std::string> dbs = {"postgres"},
                              int version = 150000) {
        return {config, pool, std::move(dbs), version, util::SystemClock::now(), tick};
    }
};

std::optional<nlohmann::json> find(const collect::CycleOutput& out, const std::string& type,
                                   const std::string& status) {
    for (const auto& m : out.metrics) {
        if (m.type() == type && m.status() == status) {
            return m.parse();
        }
    }
    return std::nullopt;
}

} // namespace

TEST(CollectorManager, objects_a_collector_wrote_as_text_get_type_timestamp_and_status_like_the_others) {
    const collect::CollectorInfo table[] = {info("texts", make<Texts>), info("good", make<Ok>)};
    collect::CollectorManager m(1, table);
    Rig rig;
    const auto out = m.run_cycle(rig.input(util::SteadyClock::now()));
    std::vector<nlohmann::json> texts;
    for (const auto& metric : out.metrics) {
        if (metric.type() == "texts") {
            EXPECT_EQ(metric.status(), "ok");
            texts.push_back(metric.parse());
        }
    }
    ASSERT_EQ(texts.size(), 3u);
    EXPECT_EQ(texts[0]["database"], "app");
    EXPECT_EQ(texts[0]["queries"][0]["hash"], 1);
    const auto good = find(out, "good", "ok");
    ASSERT_TRUE(good.has_value());
    for (const auto& o : texts) {
        EXPECT_EQ(o["type"], "texts");
        EXPECT_EQ(o["status"], "ok");
        EXPECT_EQ(o["timestamp"], (*good)["timestamp"]);
    }
    EXPECT_EQ(texts[1].size(), 3u); // "{}" plus the three fields
    EXPECT_EQ(texts[2].size(), 3u); // "{ \n}" too
}

TEST(CollectorManager, objects_that_are_not_json_objects_are_left_out_with_one_error_and_the_rest_kept) {
    const collect::CollectorInfo table[] = {info("malformed", make<Malformed>), info("good", make<Ok>)};
    collect::CollectorManager m(1, table);
    Rig rig;
    const auto out = m.run_cycle(rig.input(util::SteadyClock::now()));
    std::vector<int> values;
    std::vector<std::string> errors;
    for (const auto& metric : out.metrics) {
        if (metric.type() != "malformed") {
            continue;
        }
        const auto o = metric.parse();
        if (metric.status() == "ok") {
            values.push_back(o["value"].get<int>());
        } else {
            EXPECT_EQ(metric.status(), "error");
            errors.push_back(o["error"].get<std::string>());
        }
    }
    EXPECT_EQ(values, (std::vector<int>{1, 2}));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("3 metric object(s)"), std::string::npos) << errors[0];
    EXPECT_TRUE(find(out, "good", "ok").has_value());
}

TEST(CollectorManager, cluster_wide_runs_share_one_task_only_when_the_pool_cannot_hold_one_connection_more_per_worker) {
    const collect::CollectorInfo table[] = {info("c1", make<Overlap>, 0, 10), info("c2", make<Overlap>, 0, 10),
                                            info("c3", make<Overlap>, 0, 10), info("per_db", make<PerDb>)};
    const auto most_side_by_side = [&](int pool_max, std::vector<std::string> dbs, std::size_t objects) {
        Rig rig;
        pg::PoolOptions o;
        o.max_size = pool_max;
        rig.pool = std::make_shared<pg::Pool>(pg::ConnParams{}, o);
        g_cluster_most = 0;
        collect::CollectorManager m(3, table);
        const auto out = m.run_cycle(rig.input(util::SteadyClock::now(), std::move(dbs)));
        EXPECT_EQ(out.metrics.size(), objects);
        return g_cluster_most.load();
    };
    // 4 databases, 3 workers, room for 6: one after the other, on one maintenance connection.
    EXPECT_EQ(most_side_by_side(6, {"a", "b", "c", "d"}, 7u), 1); // 3 cluster-wide, 4 per database
    // Room for 7 (a connection per database and per worker): side by side.
    EXPECT_GT(most_side_by_side(7, {"a", "b", "c", "d"}, 7u), 1);
    // Fewer databases than workers: side by side whatever the pool.
    EXPECT_GT(most_side_by_side(2, {"a"}, 4u), 1);
}

TEST(CollectorManager, a_failing_collector_yields_an_error_object_and_the_others_still_report) {
    const collect::CollectorInfo table[] = {info("good", make<Ok>), info("bad", make<Fails>)};
    collect::CollectorManager m(2, table);
    Rig rig;
    const auto out = m.run_cycle(rig.input(util::SteadyClock::now()));
    const auto ok = find(out, "good", "ok");
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ((*ok)["value"], 1);
    EXPECT_TRUE(ok->contains("timestamp"));
    const auto err = find(out, "bad", "error");
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ((*err)["error"], "boom");
    EXPECT_FALSE(err->contains("database"));
    ASSERT_EQ(out.reports.size(), 2u);
    EXPECT_EQ(out.reports[0].status, "ok");
    EXPECT_EQ(out.reports[0].rows, 1u);
    EXPECT_EQ(out.reports[1].status, "error");
}

TEST(CollectorManager, per_database_collectors_run_once_per_database_and_errors_name_it) {
    const collect::CollectorInfo table[] = {info("perdb", make<PerDb>)};
    collect::CollectorManager m(1, table);
    Rig rig;
    const auto out = m.run_cycle(rig.input(util::SteadyClock::now(), {"a", "bad", "c"}));
    ASSERT_EQ(out.metrics.size(), 3u);
    int ok = 0;
    for (const auto& metric : out.metrics) {
        const auto o = metric.parse();
        if (o["status"] == "error") {
            EXPECT_EQ(o["database"], "bad");
            EXPECT_EQ(o["error"], "permission denied for database bad");
        } else {
            ++ok;
        }
    }
    EXPECT_EQ(ok, 2);
    EXPECT_EQ(out.reports.at(0).errors.size(), 1u);
}

TEST(CollectorManager, a_server_too_old_makes_the_type_unavailable_without_running_it) {
    const collect::CollectorInfo table[] = {info("new", make<Ok>, 170000)};
    collect::CollectorManager m(1, table);
    Rig rig;
    const int before = g_runs;
    const auto out = m.run_cycle(rig.input(util::SteadyClock::now(), {"postgres"}, 150004));
    EXPECT_EQ(g_runs, before);
    const auto o = find(out, "new", "unavailable");
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ((*o)["reason"], "needs PostgreSQL 17");
    EXPECT_EQ(o->size(), 4u); // type, timestamp, status, reason
}

TEST(CollectorManager, a_missing_source_is_reported_unavailable) {
    const collect::CollectorInfo table[] = {info("missing", make<Missing>)};
    collect::CollectorManager m(1, table);
    Rig rig;
    const auto out = m.run_cycle(rig.input(util::SteadyClock::now()));
    const auto o = find(out, "missing", "unavailable");
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ((*o)["reason"], "extension missing");
    EXPECT_EQ(out.reports.at(0).status, "unavailable");
}

TEST(CollectorManager, a_run_over_its_budget_is_cut_short_with_an_error) {
    const collect::CollectorInfo table[] = {info("slow", make<Slow>), info("good", make<Ok>)};
    collect::CollectorManager m(1, table);
    Rig rig;
    const auto start = util::SteadyClock::now();
    const auto out = m.run_cycle(rig.input(start));
    EXPECT_LT(util::SteadyClock::now() - start, 3s);
    const auto err = find(out, "slow", "error");
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ((*err)["error"].get<std::string>().rfind("time budget of 1s exceeded", 0), 0u) << (*err)["error"];
    EXPECT_TRUE(find(out, "good", "ok").has_value());
}

TEST(CollectorManager, per_type_interval_and_enabled_decide_what_runs) {
    const collect::CollectorInfo table[] = {info("every2", make<Ok>), info("off", make<Ok>)};
    collect::CollectorManager m(1, table);
    Rig rig;
    rig.config->metrics["every2"] = {true, 120, 1};
    rig.config->metrics["off"] = {false, 60, 1};
    const auto t0 = util::SteadyClock::now();
    EXPECT_EQ(m.run_cycle(rig.input(t0)).reports.size(), 1u);
    EXPECT_EQ(m.run_cycle(rig.input(t0 + 60s)).reports.size(), 0u);
    const auto third = m.run_cycle(rig.input(t0 + 120s));
    ASSERT_EQ(third.reports.size(), 1u);
    EXPECT_EQ(third.reports[0].type, "every2");
}

TEST(CollectorManager, a_stop_request_abandons_the_cycle_promptly) {
    const collect::CollectorInfo table[] = {info("slow", make<Slow>)};
    collect::CollectorManager m(1, table);
    Rig rig;
    rig.config->metrics["slow"] = {true, 60, 30};
    std::atomic<bool> stop{false};
    std::thread stopper([&] {
        std::this_thread::sleep_for(200ms);
        stop = true;
    });
    const auto start = util::SteadyClock::now();
    const auto out = m.run_cycle(rig.input(start), &stop);
    stopper.join();
    EXPECT_TRUE(out.abandoned);
    EXPECT_LT(util::SteadyClock::now() - start, 5s);
}
