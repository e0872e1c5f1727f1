// Unit tests of the /proc parsers on fixture text.
#include "pga/collectors/proc_parse.hpp"

#include <gtest/gtest.h>

using namespace pga::collectors;

TEST(ProcParse, proc_stat_aggregate_line_and_cores) {
    const auto t = parse_proc_stat("cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 50 2 25 400 10 0 1 1 0 0\n"
                                   "cpu1 50 3 25 400 10 1 1 2 0 0\nintr 12345\nctxt 999\n");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->ticks[0], 100u);
    EXPECT_EQ(t->ticks[3], 800u);
    EXPECT_EQ(t->ticks[7], 3u);
    EXPECT_EQ(t->cores, 2);
    EXPECT_FALSE(parse_proc_stat("intr 1\n"));
}

TEST(ProcParse, cpu_percentages_come_from_the_delta_between_samples) {
    CpuTimes a;
    a.ticks = {1000, 0, 1000, 100000, 0, 0, 0, 0};
    CpuTimes b = a;
    b.ticks[0] += 30; // user
    b.ticks[2] += 10; // system
    b.ticks[3] += 60; // idle
    const auto p = cpu_percentages(a, b);
    EXPECT_DOUBLE_EQ(p.at("user_percent"), 30.0);
    EXPECT_DOUBLE_EQ(p.at("system_percent"), 10.0);
    EXPECT_DOUBLE_EQ(p.at("idle_percent"), 60.0);
    EXPECT_TRUE(cpu_percentages(a, a).empty());
}

TEST(ProcParse, meminfo_values_in_kb_become_bytes) {
    const auto m =
        parse_meminfo("MemTotal:       16318412 kB\nMemAvailable:    8000000 kB\nHugePages_Total:       0\n");
    EXPECT_EQ(m.at("MemTotal"), 16318412ull * 1024);
    EXPECT_EQ(m.at("MemAvailable"), 8000000ull * 1024);
    EXPECT_EQ(m.at("HugePages_Total"), 0u);
}

TEST(ProcParse, loadavg) {
    const auto l = parse_loadavg("0.52 0.58 0.59 2/1234 56789\n");
    ASSERT_TRUE(l);
    EXPECT_DOUBLE_EQ(l->load1, 0.52);
    EXPECT_DOUBLE_EQ(l->load15, 0.59);
    EXPECT_EQ(l->running, 2);
    EXPECT_EQ(l->tasks, 1234);
    EXPECT_FALSE(parse_loadavg("garbage"));
}

TEST(ProcParse, diskstats_skip_loop_and_ram_devices) {
    const auto d = parse_diskstats("   7       0 loop0 10 0 20 0 0 0 0 0 0 0 0\n"
                                   "   1       0 ram0 0 0 0 0 0 0 0 0 0 0 0\n"
                                   " 259       0 nvme0n1 1000 10 80000 500 2000 20 160000 900 0 1200 1400 0 0 0 0\n"
                                   " 253       0 dm-0 5 0 40 1 6 0 48 2 0 3 3\n");
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].device, "nvme0n1");
    EXPECT_EQ(d[0].reads, 1000u);
    EXPECT_EQ(d[0].sectors_read, 80000u);
    EXPECT_EQ(d[0].writes, 2000u);
    EXPECT_EQ(d[0].sectors_written, 160000u);
    EXPECT_EQ(d[0].io_ms, 1200u);
    EXPECT_EQ(d[1].device, "dm-0");
}
