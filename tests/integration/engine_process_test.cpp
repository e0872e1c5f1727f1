// Integration tests of the `pganalytics cron` process on the shared PostgreSQL: SIGHUP with a broken
// configuration keeps the loop collecting, SIGTERM stops it with exit 0, and a second instance on
// the same state directory exits 0 naming the running one.
#include "catalog_support.hpp"
#include "engine_support.hpp"
#include "pga/state/instance_lock.hpp"
#include "pga/util/files.hpp"

#include <csignal>
#include <filesystem>
#include <unistd.h>

using namespace pga;

namespace {

class CronProcessTest : public test::PgTest {
protected:
    void SetUp() override {
        PgTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        dir_ = test::scratch_dir("cron-process");
        config_ = dir_ + "/collector.toml";
        test::write_file(config_, test::engine_toml(server(), dir_, 1));
    }
    void TearDown() override {
        if (!dir_.empty()) {
            std::filesystem::remove_all(dir_);
        }
    }
    std::string read(const std::string& name) const {
        return util::try_read_file(dir_ + "/" + name, nullptr).value_or("");
    }

    std::string dir_;
    std::string config_;
};

} // namespace

TEST_F(CronProcessTest, sighup_with_a_broken_config_keeps_collecting_and_sigterm_exits_0) {
    const auto out = dir_ + "/out.json";
    const pid_t pid =
        test::spawn({test::pganalytics_binary(), "-c", config_, "cron", "--dry-run"}, out, dir_ + "/err.txt");
    ASSERT_TRUE(test::wait_for([&] { return test::count_json_documents(out) >= 2; }, 20000)) << read("err.txt");
    test::write_file(config_, "[collector\ninterval = \n");
    ::kill(pid, SIGHUP);
    ASSERT_TRUE(test::wait_for([&] {
        return read("err.txt").find("configuration reload failed") != std::string::npos;
    })) << read("err.txt");
    const int after_reload = test::count_json_documents(out);
    EXPECT_TRUE(test::wait_for([&] { return test::count_json_documents(out) >= after_reload + 2; }, 20000));
    ::kill(pid, SIGTERM);
    EXPECT_EQ(test::wait_exit(pid, 15000), 0) << read("err.txt");
    EXPECT_NE(read("err.txt").find("collection loop stopped"), std::string::npos);
    const auto last = read("out.json");
    EXPECT_NE(last.find("\"pg_query_stats\""), std::string::npos);
}

TEST_F(CronProcessTest, a_second_instance_exits_0_naming_the_running_one) {
    pid_t holder = 0;
    auto lock = state::InstanceLock::acquire(dir_, &holder);
    ASSERT_TRUE(lock);
    const pid_t pid = test::spawn({test::pganalytics_binary(), "-c", config_, "cron", "--once"}, dir_ + "/out.txt",
                                  dir_ + "/err.txt");
    EXPECT_EQ(test::wait_exit(pid, 15000), 0) << read("err.txt");
    EXPECT_EQ(read("out.txt"), "already running (pid " + std::to_string(::getpid()) + ")\n");
}

TEST_F(CronProcessTest, two_real_instances_on_one_state_dir) {
    test::write_file(config_, test::engine_toml(server(), dir_, 1) +
                                  "\n[backend]\nurl = \"http://127.0.0.1:9\"\ntoken = \"test-token\"\n");
    const pid_t first =
        test::spawn({test::pganalytics_binary(), "-c", config_, "cron"}, dir_ + "/first.out", dir_ + "/first.err");
    ASSERT_TRUE(test::wait_for(
        [&] { return !read("first.err").empty() || std::filesystem::exists(dir_ + "/pganalytics.lock"); }));
    if (read("first.err").find("backend delivery is not available in this build") != std::string::npos) {
        test::wait_exit(first, 5000);
        GTEST_SKIP() << "backend delivery is not in this build";
    }
    ASSERT_TRUE(test::wait_for([&] { return read("first.err").find("Collecting metrics") != std::string::npos; }))
        << read("first.err");
    const pid_t second =
        test::spawn({test::pganalytics_binary(), "-c", config_, "cron"}, dir_ + "/second.out", dir_ + "/second.err");
    EXPECT_EQ(test::wait_exit(second, 15000), 0) << read("second.err");
    EXPECT_EQ(read("second.out"), "already running (pid " + std::to_string(first) + ")\n");
    ::kill(first, SIGTERM);
    EXPECT_EQ(test::wait_exit(first, 20000), 0) << read("first.err");
}
