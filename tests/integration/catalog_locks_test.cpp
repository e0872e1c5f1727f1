// pg_locks on a real blocking chain: A holds lock_t exclusively; B holds lock_u and waits for
// lock_t; C waits for lock_u. The collector (as pga_monitor) must show B blocked by A, C blocked by
// B with A at the root of its chain, A's state, and the lock counts by mode.
#include "catalog_support.hpp"
#include "pga/collectors/factories.hpp"

using namespace pga::test;

class CatalogLocks : public PgTest {};

TEST_F(CatalogLocks, blocked_sessions_show_their_blockers_and_chain_root) {
    server().exec_sql("DROP TABLE IF EXISTS lock_t, lock_u; CREATE TABLE lock_t (x int); CREATE TABLE lock_u (x int)");
    const auto lock_t_oid = std::stoll(server().query_value("SELECT 'lock_t'::regclass::oid"));
    RawSession a(server().superuser_conninfo_params());
    RawSession b(server().superuser_conninfo_params());
    RawSession c(server().superuser_conninfo_params());
    a.exec("BEGIN; LOCK TABLE lock_t IN ACCESS EXCLUSIVE MODE");
    b.send("BEGIN; LOCK TABLE lock_u IN ACCESS EXCLUSIVE MODE; SELECT count(*) FROM lock_t");
    ASSERT_TRUE(wait_for([&] {
        return server().query_value("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") == "1";
    }));
    c.send("SELECT count(*) FROM lock_u");
    ASSERT_TRUE(wait_for([&] {
        return server().query_value("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") == "2";
    }));

    auto collector = pga::collectors::make_locks();
    const auto run = run_collector("pg_locks", *collector, server(), monitor_config(server()));
    a.exec("ROLLBACK");
    EXPECT_EQ(b.finish(), "");
    b.exec("ROLLBACK");
    EXPECT_EQ(c.finish(), "");

    ASSERT_EQ(run.ok().size(), 1u) << nlohmann::json(run.metrics).dump(2);
    const auto o = run.ok()[0];
    EXPECT_EQ(o["waiting_count"], 2);
    nlohmann::json wb, wc;
    for (const auto& w : o["waiting"]) {
        (w["pid"] == b.pid() ? wb : wc) = w;
    }
    EXPECT_EQ(wb["blocking_pids"], nlohmann::json::array({a.pid()}));
    EXPECT_EQ(wb["root_blocking_pids"], nlohmann::json::array({a.pid()}));
    EXPECT_EQ(wb["mode"], "AccessShareLock");
    EXPECT_EQ(wb["relation_oid"], lock_t_oid);
    EXPECT_EQ(wb["chain_depth"], 1);
    EXPECT_GE(wb["wait_s"].get<double>(), 0.0);
    EXPECT_EQ(wc["pid"], c.pid());
    EXPECT_EQ(wc["blocking_pids"], nlohmann::json::array({b.pid()}));
    EXPECT_EQ(wc["root_blocking_pids"], nlohmann::json::array({a.pid()}));
    EXPECT_EQ(wc["chain_depth"], 2);
    ASSERT_EQ(o["root_blockers"].size(), 1u);
    EXPECT_EQ(o["root_blockers"][0]["pid"], a.pid());
    EXPECT_EQ(o["root_blockers"][0]["state"], "idle in transaction");
    std::int64_t exclusive_granted = 0, share_waiting = 0;
    for (const auto& n : o["counts"]) {
        if (n["locktype"] == "relation" && n["mode"] == "AccessExclusiveLock" && n["granted"] == true) {
            exclusive_granted += n["count"].get<std::int64_t>();
        }
        if (n["locktype"] == "relation" && n["mode"] == "AccessShareLock" && n["granted"] == false) {
            share_waiting += n["count"].get<std::int64_t>();
        }
    }
    EXPECT_GE(exclusive_granted, 2);
    EXPECT_EQ(share_waiting, 2);
    EXPECT_EQ(batch_errors(run.metrics), std::vector<std::string>{});
}
