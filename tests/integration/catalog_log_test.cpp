// pg_log against the harness server's real log: the first run starts at the end of the current
// file; later runs return new entries with real timestamps and levels, follow a rotation
// (pg_rotate_logfile) without losing the old file's last lines, stay within max_lines and
// max_read_kib, and continue
// from the saved offset after a restart (a new collector with the same state_dir).
#include "catalog_support.hpp"
#include "pga/collectors/log.hpp"
#include "pga/util/files.hpp"
#include "pga/util/time.hpp"

#include <filesystem>
#include <thread>

using namespace pga::test;

namespace {

class CatalogLog : public PgTest {
protected:
    void SetUp() override {
        PgTest::SetUp();
        char tmpl[] = "/tmp/pga-log-state-XXXXXX";
        state_dir_ = ::mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(state_dir_); }

    std::string current_file() {
        const auto f = server().query_value("SELECT pg_current_logfile()");
        return f.front() == '/' ? f : server().data_dir() + "/" + f;
    }
    // Raises a WARNING with text and waits until the server log holds it.
    void raise(const std::string& text) {
        server().exec_sql("DO $$ BEGIN RAISE WARNING '" + text + "'; END $$");
        ASSERT_TRUE(wait_for([&] {
            const auto f = pga::util::try_read_file(current_file(), nullptr);
            return f && f->find(text) != std::string::npos;
        }));
    }
    CollectorRun run(pga::collectors::LogCollector& c, std::int64_t max_lines = 1000,
                     std::int64_t max_read_kib = 8192) {
        auto config = monitor_config(server(), state_dir_);
        config.tuning.pg_log_max_lines = max_lines;
        config.tuning.pg_log_max_read_kib = max_read_kib;
        auto r = run_collector("pg_log", c, server(), config);
        EXPECT_EQ(batch_errors(r.metrics), std::vector<std::string>{});
        EXPECT_EQ(r.ok().size(), 1u) << nlohmann::json(r.metrics).dump(2);
        return r;
    }
    static std::vector<std::string> messages(const CollectorRun& r) {
        std::vector<std::string> out;
        const auto ok = r.ok();
        for (const auto& e : ok.at(0)["entries"]) {
            out.push_back(e["message"]);
        }
        return out;
    }
    static bool has(const std::vector<std::string>& v, const std::string& s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    }
    std::string state_dir_;
};

} // namespace

TEST_F(CatalogLog, follows_new_entries_with_real_timestamps_and_levels) {
    pga::collectors::LogCollector collector;
    run(collector);
    raise("pga-marker-one");
    const auto r = run(collector);
    const auto o = r.ok().at(0);
    nlohmann::json marker;
    for (const auto& e : o["entries"]) {
        if (e["message"] == "pga-marker-one") {
            marker = e;
        }
    }
    ASSERT_FALSE(marker.is_null()) << o.dump(2);
    EXPECT_EQ(marker["level"], "WARNING");
    EXPECT_TRUE(marker["pid"].is_number_integer());
    const auto t = pga::util::parse_rfc3339(marker["log_time"].get<std::string>());
    ASSERT_TRUE(t);
    EXPECT_LT(std::chrono::abs(pga::util::SystemClock::now() - *t), std::chrono::minutes(2));
    EXPECT_GE(o["counts_by_level"]["WARNING"].get<int>(), 1);
    EXPECT_FALSE(has(messages(run(collector)), "pga-marker-one")); // consumed
}

TEST_F(CatalogLog, survives_rotation_and_restart) {
    pga::collectors::LogCollector collector;
    run(collector);
    const auto before = current_file();
    raise("pga-before-rotation");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100)); // log_filename has second precision
    server().exec_sql("SELECT pg_rotate_logfile()");
    ASSERT_TRUE(wait_for([&] { return current_file() != before; }));
    raise("pga-after-rotation");
    const auto r = run(collector);
    EXPECT_EQ(r.ok().at(0)["rotated"], true);
    EXPECT_TRUE(has(messages(r), "pga-before-rotation"));
    EXPECT_TRUE(has(messages(r), "pga-after-rotation"));

    raise("pga-after-restart");
    pga::collectors::LogCollector restarted;
    const auto again = messages(run(restarted));
    EXPECT_TRUE(has(again, "pga-after-restart"));
    EXPECT_FALSE(has(again, "pga-after-rotation"));
}

TEST_F(CatalogLog, reads_at_most_max_lines_per_cycle) {
    pga::collectors::LogCollector collector;
    run(collector);
    for (int i = 0; i < 4; ++i) {
        raise("pga-bounded-" + std::to_string(i));
    }
    const auto first = run(collector, 2);
    EXPECT_EQ(first.ok().at(0)["lines_read"], 2);
    EXPECT_EQ(first.ok().at(0)["more_pending"], true);
    const auto rest = messages(run(collector, 1000));
    EXPECT_TRUE(has(rest, "pga-bounded-3"));
}

TEST_F(CatalogLog, reads_at_most_max_read_kib_per_cycle) {
    pga::collectors::LogCollector collector;
    run(collector);
    // About 150 KiB of log: 150 warnings of 1000 characters.
    server().exec_sql("DO $$ BEGIN FOR i IN 1..150 LOOP RAISE WARNING '%', 'pga-bulk-' || i || ' ' || "
                      "repeat('x', 1000); END LOOP; END $$");
    ASSERT_TRUE(wait_for([&] {
        const auto f = pga::util::try_read_file(current_file(), nullptr);
        return f && f->find("pga-bulk-150 ") != std::string::npos;
    }));
    const auto first = run(collector, 1000000, 64);
    const auto o = first.ok().at(0);
    EXPECT_LE(o["bytes_read"].get<std::int64_t>(), 64 * 1024);
    EXPECT_GT(o["bytes_read"].get<std::int64_t>(), 32 * 1024);
    EXPECT_EQ(o["more_pending"], true);
    EXPECT_FALSE(has(messages(first), "pga-bulk-150 " + std::string(1000, 'x')));
    // The rest follows in later cycles, nothing lost or repeated.
    auto seen = messages(first);
    for (int i = 0; i < 5; ++i) {
        const auto next = messages(run(collector, 1000000, 64));
        seen.insert(seen.end(), next.begin(), next.end());
    }
    for (const int n : {1, 75, 150}) {
        const auto text = "pga-bulk-" + std::to_string(n) + " " + std::string(1000, 'x');
        EXPECT_EQ(std::count(seen.begin(), seen.end(), text), 1) << n;
    }
}

TEST_F(CatalogLog, remote_server_is_unavailable_with_reason) {
    pga::collectors::LogCollector collector;
    auto config = monitor_config(server(), state_dir_);
    config.postgresql.host = "db.example.com";
    const auto r = run_collector("pg_log", collector, server(), config);
    ASSERT_EQ(r.metrics.size(), 1u);
    EXPECT_EQ(r.metrics[0]["status"], "unavailable");
    EXPECT_NE(r.metrics[0]["reason"].get<std::string>().find("not on this host"), std::string::npos);
}
