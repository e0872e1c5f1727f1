// Unit tests of the state directory files: the instance lock, the batch sequence and the status file.
#include "pga/state/instance_lock.hpp"
#include "pga/state/sequence.hpp"
#include "pga/state/status.hpp"
#include "pga/util/files.hpp"
#include "pga/util/uuid.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <regex>
#include <unistd.h>

using namespace pga;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
    auto dir = fs::temp_directory_path() / ("pga-state-test-" + util::uuid_v4());
    fs::create_directories(dir);
    return dir;
}

} // namespace

TEST(InstanceLock, a_second_acquire_fails_and_names_the_holder) {
    const auto dir = temp_dir();
    pid_t holder = -1;
    auto first = state::InstanceLock::acquire(dir, &holder);
    ASSERT_TRUE(first);
    auto second = state::InstanceLock::acquire(dir, &holder);
    EXPECT_FALSE(second);
    EXPECT_EQ(holder, ::getpid());
    first.reset();
    EXPECT_TRUE(state::InstanceLock::acquire(dir, &holder));
    fs::remove_all(dir);
}

TEST(Sequence, continues_after_a_restart_and_dry_runs_touch_nothing) {
    const auto dir = temp_dir();
    {
        state::Sequence s(dir, true);
        EXPECT_EQ(s.next(), 1u);
        EXPECT_EQ(s.next(), 2u);
    }
    state::Sequence again(dir, true);
    EXPECT_EQ(again.next(), 3u);
    state::Sequence dry(dir / "absent", false);
    EXPECT_EQ(dry.next(), 1u);
    EXPECT_FALSE(fs::exists(dir / "absent"));
    fs::remove_all(dir);
}

TEST(Status, is_written_atomically_and_read_back) {
    const auto dir = temp_dir();
    state::Status s;
    s.started_at = "2026-01-01T00:00:00Z";
    s.cycle_duration_ms = 123;
    s.skipped_ticks = 2;
    collect::RunReport r;
    r.type = "pg_stats";
    r.status = "error";
    r.errors = {{"app", "permission denied"}};
    r.rows = 7;
    s.record({r}, "2026-01-01T00:01:00Z");
    s.pool.acquisitions = 10;
    s.pool.reuses = 9;
    s.delivery = {{"sink", "test"}};
    state::write_status(dir, s);
    std::string error;
    const auto j = state::read_status(dir, &error);
    ASSERT_TRUE(j) << error;
    EXPECT_EQ((*j)["last_cycle"]["duration_ms"], 123);
    EXPECT_EQ((*j)["skipped_ticks"], 2);
    EXPECT_EQ((*j)["collectors"]["pg_stats"]["status"], "error");
    EXPECT_EQ((*j)["collectors"]["pg_stats"]["error"], "permission denied");
    EXPECT_EQ((*j)["collectors"]["pg_stats"]["errors"][0]["database"], "app");
    EXPECT_EQ((*j)["pool"]["reuses"], 9);
    EXPECT_EQ((*j)["pid"], ::getpid());
    EXPECT_GT((*j)["process"]["rss_bytes"].get<std::int64_t>(), 0);
    EXPECT_EQ((*j)["delivery"]["sink"], "test");
    fs::remove_all(dir);
}

TEST(Uuid, is_version_4_and_unique) {
    const auto a = util::uuid_v4();
    EXPECT_TRUE(std::regex_match(a, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
    EXPECT_NE(a, util::uuid_v4());
}
