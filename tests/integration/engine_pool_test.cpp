// Integration tests of the connection pool on the shared PostgreSQL: the hard cap across databases
// counted in pg_stat_activity, reuse, replacement of a terminated connection, eviction of another
// database's idle connection at the cap (a duplicate first, the warm database's and a held
// database's last), bounded waiting, reconnect back-off and idle expiry.
#include "catalog_support.hpp"
#include "engine_support.hpp"
#include "pga/pg/pool.hpp"
#include "pga/util/uuid.hpp"

#include <atomic>
#include <thread>

using namespace pga;
using namespace std::chrono_literals;

namespace {

class PoolTest : public test::PgTest {
protected:
    void SetUp() override {
        PgTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        app_ = "pga-pool-" + util::uuid_v4().substr(0, 8);
        for (const char* db : {"pool_a", "pool_b", "pool_c"}) {
            test::ensure_database(server(), db);
        }
    }

    pg::ConnParams params() const {
        auto p = test::monitor_params(server());
        p.application_name = app_;
        return p;
    }

    int connections_in_server() const {
        return std::stoi(
            server().query_value("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app_ + "'"));
    }

    // The pool's connections the server lists and the pool still holds (a closed connection's
    // backend stays listed while it exits).
    int held_in_server() const { return test::held_connections(server(), "application_name = '" + app_ + "'"); }

    std::string app_;
};

} // namespace

TEST_F(PoolTest, pool_never_exceeds_max_size_across_databases) {
    pg::PoolOptions o;
    o.min_size = 0;
    o.max_size = 3;
    pg::Pool pool(params(), o);
    std::atomic<bool> done{false};
    std::atomic<int> most_seen{0};
    std::thread watcher([&] {
        while (!done) {
            most_seen = std::max(most_seen.load(), held_in_server());
            std::this_thread::sleep_for(5ms);
        }
    });
    std::vector<std::thread> workers;
    for (int w = 0; w < 6; ++w) {
        workers.emplace_back([&, w] {
            const std::string dbs[] = {"pool_a", "pool_b", "pool_c", "postgres"};
            for (int i = 0; i < 15; ++i) {
                auto lease = pool.acquire(dbs[(w + i) % 4]);
                lease->query("SELECT pg_catalog.pg_sleep(0.005)");
                EXPECT_LE(pool.stats().active, 3);
            }
        });
    }
    for (auto& t : workers) {
        t.join();
    }
    done = true;
    watcher.join();
    // The pool's idle connections are still open: at least one is counted even when one slow
    // sample spanned all the borrows.
    most_seen = std::max(most_seen.load(), held_in_server());
    EXPECT_GT(most_seen.load(), 0);
    EXPECT_LE(most_seen.load(), 3);
    const auto s = pool.stats();
    EXPECT_EQ(s.acquisitions, 90u);
    // Every borrow was served by a new or a reused connection, and every connection not left idle
    // was closed. How many borrows reuse one depends on scheduling: the worker that returns a
    // connection usually takes the lock again first and asks for another database, so a CI run
    // saw 0 reuses (reuse is asserted where it is deterministic, in the tests below).
    test::expect_every_connection_accounted_for(s);
    EXPECT_LE(s.idle, 3);
    EXPECT_LE(s.peak_active, 3);
}

TEST_F(PoolTest, a_returned_connection_is_reused) {
    pg::Pool pool(params(), {0, 5});
    int first_pid = 0;
    {
        auto lease = pool.acquire("pool_a");
        first_pid = lease->backend_pid();
    }
    auto again = pool.acquire("pool_a");
    EXPECT_EQ(again->backend_pid(), first_pid);
    EXPECT_EQ(pool.stats().created, 1u);
    EXPECT_EQ(pool.stats().reuses, 1u);
    EXPECT_EQ(again->database(), "pool_a");
}

TEST_F(PoolTest, a_terminated_connection_is_detected_on_borrow_and_replaced) {
    pg::Pool pool(params(), {0, 5});
    int pid = 0;
    {
        auto lease = pool.acquire("pool_b");
        pid = lease->backend_pid();
    }
    server().exec_sql("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");
    ASSERT_TRUE(test::wait_for([&] { return connections_in_server() == 0; }));
    auto lease = pool.acquire("pool_b");
    EXPECT_NE(lease->backend_pid(), pid);
    EXPECT_EQ(lease->value("SELECT 1"), "1");
    EXPECT_EQ(pool.stats().closed, 1u);
    EXPECT_EQ(pool.stats().created, 2u);
}

TEST_F(PoolTest, at_the_cap_an_idle_connection_of_another_database_is_closed) {
    pg::Pool pool(params(), {0, 1});
    { auto a = pool.acquire("pool_a"); }
    auto b = pool.acquire("pool_b");
    EXPECT_EQ(b->value("SELECT current_database()"), "pool_b");
    EXPECT_EQ(pool.stats().closed, 1u);
    EXPECT_EQ(held_in_server(), 1);
}

TEST_F(PoolTest, at_the_cap_the_most_recently_used_idle_connection_makes_room) {
    // Databases visited in the same order every cycle, one more than the pool holds: closing the
    // newest idle connection keeps the older ones for the next round.
    pg::Pool pool(params(), {0, 2});
    for (int round = 0; round < 3; ++round) {
        for (const char* db : {"pool_a", "pool_b", "pool_c"}) {
            EXPECT_EQ(pool.acquire(db)->value("SELECT current_database()"), db);
        }
    }
    const auto stats = pool.stats();
    EXPECT_EQ(stats.acquisitions, 9u);
    // Round 1 opens 3; each later round reuses one and opens two. Closing the oldest instead would
    // open a connection on every borrow (9 created, 0 reused).
    EXPECT_EQ(stats.created, 6u);
    EXPECT_EQ(stats.reuses, 3u);
    EXPECT_EQ(held_in_server(), 2);
}

TEST_F(PoolTest, at_the_cap_a_second_idle_connection_to_one_database_goes_before_another_databases_only_one) {
    pg::Pool pool(params(), {0, 3});
    {
        auto b = pool.acquire("pool_b");
        auto a1 = pool.acquire("pool_a");
        auto a2 = pool.acquire("pool_a");
    } // returned a2, a1, then b: b is the newest idle connection, but pool_a has two
    EXPECT_EQ(pool.acquire("pool_c")->value("SELECT current_database()"), "pool_c");
    EXPECT_EQ(pool.acquire("pool_b")->value("SELECT current_database()"), "pool_b");
    const auto stats = pool.stats();
    EXPECT_EQ(stats.created, 4u); // a, a, b, c: pool_b's only connection was kept
    EXPECT_EQ(stats.reuses, 1u);
    EXPECT_EQ(stats.closed, 1u);
    EXPECT_EQ(held_in_server(), 3);
}

TEST_F(PoolTest, at_the_cap_the_warm_databases_only_idle_connection_goes_last) {
    pg::Pool pool(params(), {0, 3});
    pool.maintain("postgres"); // min_size 0: opens nothing, marks the maintenance database warm
    {
        auto p = pool.acquire("postgres");
        auto a = pool.acquire("pool_a");
        auto b = pool.acquire("pool_b");
    } // returned b, a, then postgres: the newest idle connection is the warm database's
    EXPECT_EQ(pool.acquire("pool_c")->value("SELECT current_database()"), "pool_c");
    EXPECT_EQ(pool.acquire("postgres")->value("SELECT current_database()"), "postgres");
    const auto stats = pool.stats();
    EXPECT_EQ(stats.created, 4u); // postgres, a, b, c: the warm database's connection was kept
    EXPECT_EQ(stats.reuses, 1u);
    EXPECT_EQ(stats.closed, 1u);
    EXPECT_EQ(held_in_server(), 3);
}

TEST_F(PoolTest, at_the_cap_a_held_databases_idle_connection_is_kept_while_another_can_go) {
    pg::Pool pool(params(), {0, 2});
    { auto a = pool.acquire("pool_a"); }
    { auto b = pool.acquire("pool_b"); } // the newest idle connection
    {
        const auto hold = pool.hold("pool_b"); // pool_b's task is between two borrows
        EXPECT_EQ(pool.acquire("pool_c")->value("SELECT current_database()"), "pool_c");
        EXPECT_EQ(pool.acquire("pool_b")->value("SELECT current_database()"), "pool_b");
    }
    auto stats = pool.stats();
    EXPECT_EQ(stats.created, 3u); // a, b, c: pool_a's connection made room, pool_b's was kept
    EXPECT_EQ(stats.reuses, 1u);
    EXPECT_EQ(stats.closed, 1u);
    // Released, the hold no longer counts: the newest idle connection (pool_b's) makes room.
    EXPECT_EQ(pool.acquire("pool_a")->value("SELECT current_database()"), "pool_a");
    EXPECT_EQ(pool.acquire("pool_c")->value("SELECT current_database()"), "pool_c");
    stats = pool.stats();
    EXPECT_EQ(stats.created, 4u);
    EXPECT_EQ(stats.reuses, 2u);
    EXPECT_EQ(held_in_server(), 2);
}

TEST_F(PoolTest, at_the_cap_a_held_databases_only_idle_connection_still_makes_room_when_nothing_else_can) {
    pg::Pool pool(params(), {0, 1});
    { auto a = pool.acquire("pool_a"); }
    const auto hold = pool.hold("pool_a");
    EXPECT_EQ(pool.acquire("pool_b")->value("SELECT current_database()"), "pool_b");
    EXPECT_EQ(pool.stats().closed, 1u);
    EXPECT_EQ(held_in_server(), 1);
}

TEST_F(PoolTest, a_borrow_waits_for_a_busy_pool_and_gives_up_after_the_timeout) {
    pg::PoolOptions o;
    o.min_size = 0;
    o.max_size = 1;
    o.acquire_timeout = 300ms;
    pg::Pool pool(params(), o);
    auto held = pool.acquire("pool_a");
    const auto start = std::chrono::steady_clock::now();
    try {
        (void)pool.acquire("pool_a"); // acquire_timeout
        FAIL() << "acquire should time out";
    } catch (const pg::Error& e) {
        EXPECT_NE(std::string(e.what()).find("failed to acquire connection from pool"), std::string::npos);
    }
    EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
    // A deadline set per borrow shortens acquire_timeout, never lengthens it.
    const auto before = std::chrono::steady_clock::now();
    EXPECT_THROW((void)pool.acquire("pool_a", before + 10s), pg::Error);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
    // A borrow waiting for the busy pool gets the connection when it is returned. The wait must
    // outlast a loaded machine's scheduling of the releaser: a pool with a 30 s timeout.
    o.acquire_timeout = 30s;
    pg::Pool patient(params(), o);
    auto taken = patient.acquire("pool_a");
    std::thread releaser([&] {
        std::this_thread::sleep_for(50ms);
        taken = pg::Lease();
    });
    auto next = patient.acquire("pool_a");
    releaser.join();
    EXPECT_TRUE(next);
}

TEST_F(PoolTest, failed_connections_back_off_before_the_next_attempt) {
    pg::PoolOptions o;
    o.min_size = 0;
    o.backoff_initial = 2s; // long enough that a stalled test thread still asks again inside it
    pg::Pool pool(params(), o);
    EXPECT_THROW((void)pool.acquire("no_such_database"), pg::Error);
    try {
        (void)pool.acquire("no_such_database");
        FAIL() << "second attempt should be backed off";
    } catch (const pg::Error& e) {
        EXPECT_NE(std::string(e.what()).find("next attempt in"), std::string::npos) << e.what();
    }
    EXPECT_EQ(pool.stats().failed, 1u);
    std::this_thread::sleep_for(2100ms);
    EXPECT_THROW((void)pool.acquire("no_such_database"), pg::Error);
    EXPECT_EQ(pool.stats().failed, 2u);
    EXPECT_EQ(pool.acquire("pool_a")->value("SELECT 1"), "1"); // other databases are unaffected
}

TEST_F(PoolTest, idle_connections_close_after_the_idle_timeout_and_min_size_is_kept_warm) {
    pg::PoolOptions o;
    o.min_size = 1;
    o.max_size = 4;
    o.idle_timeout = 1s;
    pg::Pool pool(params(), o);
    pool.maintain("postgres");
    EXPECT_EQ(pool.stats().idle, 1);
    {
        auto a = pool.acquire("pool_a");
        auto b = pool.acquire("pool_b");
    }
    EXPECT_EQ(pool.stats().idle, 3);
    std::this_thread::sleep_for(1100ms);
    pool.maintain("postgres");
    EXPECT_EQ(pool.stats().idle, 1);
    EXPECT_EQ(pool.stats().closed, 2u);
}
