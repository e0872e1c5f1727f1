// Unit tests of pga-bench's logic: order statistics, the workload generator, the guide's targets
// and the chart.
#include "pga/cli/bench/chart.hpp"
#include "pga/cli/bench/cluster.hpp"
#include "pga/cli/bench/report.hpp"
#include "pga/cli/bench/summary.hpp"

#include <gtest/gtest.h>
#include <regex>
#include <set>

using namespace pga::cli::bench;

TEST(BenchSummary, nearest_rank_percentiles_of_an_unsorted_series) {
    std::vector<double> v;
    for (int i = 100; i >= 1; --i) {
        v.push_back(i);
    }
    const auto s = summarize(v);
    EXPECT_EQ(s.count, 100u);
    EXPECT_EQ(s.min, 1);
    EXPECT_EQ(s.p50, 50);
    EXPECT_EQ(s.p95, 95);
    EXPECT_EQ(s.max, 100);
    EXPECT_DOUBLE_EQ(s.mean, 50.5);
    EXPECT_EQ(summarize({7}).p95, 7);
    EXPECT_EQ(summarize({}).count, 0u);
    EXPECT_EQ(percentile({1, 2, 3}, 95), 3);
}

TEST(BenchWorkload, statements_are_distinct_and_spread_over_the_tables) {
    std::set<std::string> seen;
    for (int j = 0; j < 1000; ++j) {
        EXPECT_TRUE(seen.insert(workload_statement(j, 20)).second) << j;
    }
    EXPECT_EQ(workload_statement(0, 20), "SELECT count(*) FROM t_1 WHERE v > 0");
    EXPECT_EQ(workload_statement(21, 20), "SELECT count(*) FROM t_2 WHERE v > 0 + 1");
    EXPECT_EQ(database_name(0), "bench_001");
    EXPECT_EQ(database_name(99), "bench_100");
}

TEST(BenchWorkload, out_of_range_specs_are_named) {
    EXPECT_EQ(check(ScaleSpec{}), "");
    EXPECT_NE(check(ScaleSpec{0, 20, 1000, 100, 100}).find("--scale"), std::string::npos);
    EXPECT_NE(check(ScaleSpec{10, 0, 1000, 100, 100}).find("--tables"), std::string::npos);
    EXPECT_NE(check(ScaleSpec{10, 20, -1, 100, 100}).find("--rows"), std::string::npos);
}

namespace {

BenchResult result_with(std::size_t databases, std::vector<double> wall, double cpu_ms) {
    BenchResult r;
    r.databases.resize(databases, "db");
    r.pool_max_size = 10;
    r.peak_rss_bytes = 20u << 20;
    r.cycles.push_back({.warmup = true, .wall_ms = 99999, .cpu_ms = 99999, .acquisitions = 10, .reuses = 0});
    for (const double w : wall) {
        r.cycles.push_back({.wall_ms = w, .cpu_ms = cpu_ms, .peak_connections = 4, .acquisitions = 10, .reuses = 9});
    }
    return r;
}

const Target* find(const Report& r, const std::string& name) {
    for (const auto& t : r.targets) {
        if (t.name.rfind(name, 0) == 0) {
            return &t;
        }
    }
    return nullptr;
}

} // namespace

TEST(BenchReport, warm_up_cycles_are_left_out_and_guide_targets_follow_the_scale) {
    const auto r = result_with(10, {100, 200, 300}, 600);
    const auto rep = make_report(r, 60, {});
    EXPECT_EQ(rep.wall_ms.count, 3u);
    EXPECT_EQ(rep.wall_ms.max, 300);
    EXPECT_DOUBLE_EQ(rep.reuse_pct, 90);
    ASSERT_NE(find(rep, "cycle p95"), nullptr);
    EXPECT_EQ(find(rep, "cycle p95")->limit, 2000);
    EXPECT_TRUE(find(rep, "cycle p95")->met());
    ASSERT_NE(find(rep, "CPU share"), nullptr);
    EXPECT_DOUBLE_EQ(find(rep, "CPU share")->actual, 1.0); // 600 ms of a 60 s interval
    EXPECT_TRUE(find(rep, "pool reuse")->met());

    EXPECT_EQ(make_report(result_with(25, {1}, 1), 60, {}).targets.front().limit, 5000);
    EXPECT_EQ(make_report(result_with(100, {1}, 1), 60, {}).targets.front().limit, 15000);
    EXPECT_EQ(find(make_report(result_with(101, {1}, 1), 60, {}), "cycle p95"), nullptr); // no guide row
}

TEST(BenchReport, option_targets_can_miss) {
    const auto r = result_with(1, {100, 200}, 50);
    ExtraTargets extra;
    extra.p50_ms = 50;
    extra.reuse_pct = 95;
    const auto rep = make_report(r, 60, extra);
    const auto* p50 = find(rep, "cycle p50");
    ASSERT_NE(p50, nullptr);
    EXPECT_FALSE(p50->met());
    EXPECT_EQ(to_json(rep)["targets"].size(), rep.targets.size());
    bool reuse_missed = false;
    for (const auto& t : rep.targets) {
        reuse_missed = reuse_missed || (t.source == "option" && t.name == "pool reuse" && !t.met());
    }
    EXPECT_TRUE(reuse_missed);
}

TEST(BenchChart, histogram_has_every_bin_and_marks_p50_and_p95) {
    const auto svg = cycle_chart_svg({10, 20, 30, 40, 1000}, "a <title> & more");
    EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
    EXPECT_NE(svg.find("a &lt;title&gt; &amp; more"), std::string::npos);
    const std::regex bar("<rect x=");
    EXPECT_EQ(std::distance(std::sregex_iterator(svg.begin(), svg.end(), bar), std::sregex_iterator()), 20);
    EXPECT_NE(svg.find("p50 30.0 ms"), std::string::npos);
    EXPECT_NE(svg.find("p95 1000.0 ms"), std::string::npos);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    EXPECT_NE(cycle_chart_svg({}, "empty").find("</svg>"), std::string::npos); // no division by zero
}
