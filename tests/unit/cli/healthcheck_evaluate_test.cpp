// Unit tests of pga-healthcheck's pure logic: perfdata formatting, the RSS growth rule, the
// evaluation states and the rollback decision tree.
#include "pga/cli/healthcheck/evaluate.hpp"

#include <gtest/gtest.h>

namespace pga::cli::healthcheck {
namespace {

Inputs running_with(nlohmann::json status) {
    Inputs in;
    in.running = true;
    in.pid = 42;
    in.now_unix_s = 1772100000; // 2026-02-26T10:00:00Z
    in.status = std::move(status);
    return in;
}

nlohmann::json status_at(const std::string& finished, int duration_ms) {
    return {{"last_cycle", {{"finished_at", finished}, {"duration_ms", duration_ms}}},
            {"pool", {{"acquisitions", 100}, {"reuses", 50}}}};
}

TEST(HealthcheckPerf, formats_label_value_unit_and_thresholds) {
    EXPECT_EQ(format_perf({"cycle_duration", 1.2, "s", 15.0, 20.0}), "'cycle_duration'=1.2s;15;20");
    EXPECT_EQ(format_perf({"pool_reuse", 95, "%", std::nullopt, std::nullopt}), "'pool_reuse'=95%");
}

TEST(HealthcheckRss, growth_needs_four_strictly_rising_samples_above_pct) {
    std::vector<Sample> h{{0, 1, 100, 0}, {1, 1, 110, 0}, {2, 1, 120, 0}, {3, 1, 130, 0}};
    EXPECT_TRUE(rss_growing(h, 10));
    h[2].rss_bytes = 105;
    EXPECT_FALSE(rss_growing(h, 10));
    h.resize(3);
    EXPECT_FALSE(rss_growing(h, 10));
}

TEST(HealthcheckEvaluate, not_running_is_critical_and_rolls_back) {
    Inputs in;
    const auto e = evaluate(in, Thresholds{});
    EXPECT_EQ(e.state, k_critical);
    const auto d = decide(e, in, Thresholds{});
    EXPECT_TRUE(d.rollback);
    EXPECT_EQ(d.branch, "collector won't start");
}

TEST(HealthcheckEvaluate, low_pool_reuse_warns_and_line_has_perfdata) {
    const auto in = running_with(status_at("2026-02-26T09:59:50Z", 1000));
    const auto e = evaluate(in, Thresholds{});
    EXPECT_EQ(e.state, k_warning);
    EXPECT_EQ(plugin_line(e).rfind("WARNING - pool reuse 50%", 0), 0u) << plugin_line(e);
    EXPECT_NE(plugin_line(e).find("'cycle_age'=10s;180;600"), std::string::npos);
}

TEST(HealthcheckDecide, slow_cycles_roll_back_only_after_an_hour) {
    auto in = running_with(status_at("2026-02-26T09:59:50Z", 25000));
    in.history = {{in.now_unix_s - 1800, 42, 1, 25000}, {in.now_unix_s, 42, 1, 25000}};
    auto e = evaluate(in, Thresholds{});
    EXPECT_FALSE(decide(e, in, Thresholds{}).rollback);
    in.history.insert(in.history.begin(), {in.now_unix_s - 3700, 42, 1, 25000});
    const auto d = decide(e, in, Thresholds{});
    EXPECT_TRUE(d.rollback);
    EXPECT_EQ(d.branch, "cycle time too high");
}

TEST(HealthcheckEvaluate, unreadable_status_is_unknown) {
    Inputs in;
    in.running = true;
    in.status_error = "no such file";
    EXPECT_EQ(evaluate(in, Thresholds{}).state, k_unknown);
}

} // namespace
} // namespace pga::cli::healthcheck
