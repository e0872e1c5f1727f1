// Unit tests of the sysstat collector with a fake /proc: percentages and rates are deltas between
// runs, and the first run already has CPU percentages (two samples).
#include "pga/collectors/sysstat.hpp"

#include <gtest/gtest.h>
#include <map>

using namespace pga;

namespace {

struct FakeProc {
    std::map<std::string, std::vector<std::string>> files; // path -> successive contents
    std::map<std::string, std::size_t> reads;

    collectors::FileReader reader() {
        return [this](const std::string& path) -> std::optional<std::string> {
            const auto it = files.find(path);
            if (it == files.end()) {
                return std::nullopt;
            }
            const auto n = reads[path]++;
            return it->second.at(std::min(n, it->second.size() - 1));
        };
    }
};

collect::Output run(collectors::SysstatCollector& c) {
    config::Config config;
    std::vector<std::string> dbs;
    pg::Pool pool(pg::ConnParams{}, pg::PoolOptions{});
    collect::Context ctx{
        config, pool, dbs, 0, util::SystemClock::now(), util::SteadyClock::now() + std::chrono::seconds(5)};
    collect::Output out;
    c.collect(ctx, out);
    return out;
}

} // namespace

TEST(Sysstat, first_run_reports_cpu_from_two_samples_and_later_runs_from_the_previous_one) {
    FakeProc proc;
    proc.files["/proc/stat"] = {"cpu  100 0 100 1000 0 0 0 0\ncpu0 1 1 1 1\n", "cpu  150 0 100 1050 0 0 0 0\n",
                                "cpu  150 0 200 1050 0 0 0 0\n"};
    proc.files["/proc/meminfo"] = {"MemTotal: 1000 kB\nMemAvailable: 400 kB\n"};
    proc.files["/proc/loadavg"] = {"1.00 2.00 3.00 1/100 42\n"};
    proc.files["/proc/diskstats"] = {"   8 0 sda 100 0 1000 0 50 0 500 0 0 10 0\n",
                                     "   8 0 sda 100 0 1000 0 50 0 500 0 0 10 0\n",
                                     "   8 0 sda 110 0 1200 0 50 0 500 0 0 20 0\n"};
    collectors::SysstatCollector c(proc.reader(), std::chrono::milliseconds(0));
    const auto first = run(c);
    ASSERT_EQ(first.metrics.size(), 1u);
    const auto& o = first.metrics[0];
    EXPECT_DOUBLE_EQ(o["cpu"]["user_percent"].get<double>(), 50.0);
    EXPECT_DOUBLE_EQ(o["cpu"]["idle_percent"].get<double>(), 50.0);
    EXPECT_EQ(o["memory"]["total_bytes"], 1000 * 1024);
    EXPECT_EQ(o["memory"]["used_bytes"], 600 * 1024);
    EXPECT_DOUBLE_EQ(o["load"]["load5"].get<double>(), 2.0);
    EXPECT_EQ(o["disks"][0]["device"], "sda");
    EXPECT_EQ(o["disks"][0]["read_bytes"], 1000 * 512);
    const auto second = run(c);
    const auto& p = second.metrics.at(0);
    EXPECT_DOUBLE_EQ(p["cpu"]["system_percent"].get<double>(), 100.0);
    EXPECT_GT(p["disks"][0]["reads_per_s"].get<double>(), 0.0);
    EXPECT_TRUE(second.errors.empty());
}

TEST(Sysstat, unreadable_proc_stat_is_an_error_but_memory_is_still_sent) {
    FakeProc proc;
    proc.files["/proc/meminfo"] = {"MemTotal: 1000 kB\n"};
    collectors::SysstatCollector c(proc.reader(), std::chrono::milliseconds(0));
    const auto out = run(c);
    ASSERT_EQ(out.metrics.size(), 1u);
    EXPECT_EQ(out.metrics[0]["memory"]["total_bytes"], 1000 * 1024);
    EXPECT_TRUE(out.metrics[0]["memory"]["used_bytes"].is_null());
    ASSERT_EQ(out.errors.size(), 1u);
}
