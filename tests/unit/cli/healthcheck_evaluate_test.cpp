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

// A healthy status with a delivery section whose auth part is `auth`.
nlohmann::json delivering_with(nlohmann::json auth) {
    return {{"last_cycle", {{"finished_at", "2026-02-26T09:59:50Z"}, {"duration_ms", 1000}}},
            {"pool", {{"acquisitions", 100}, {"reuses", 95}}},
            {"delivery",
             {{"last_success", "2026-02-26T09:59:40Z"},
              {"spool", {{"batches", 0}, {"bytes", 0}, {"dropped_total", 0}}},
              {"auth", std::move(auth)}}}};
}

const Finding* finding(const Evaluation& e, const std::string& name) {
    for (const auto& f : e.findings) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

TEST(HealthcheckEvaluate, accepted_credentials_are_ok) {
    const auto in = running_with(delivering_with({{"state", "ok"}, {"critical", false}, {"mode", "static_token"}}));
    const auto e = evaluate(in, Thresholds{});
    EXPECT_EQ(e.state, k_ok) << plugin_line(e);
    ASSERT_NE(finding(e, "auth"), nullptr);
    EXPECT_EQ(finding(e, "auth")->state, k_ok);
}

TEST(HealthcheckEvaluate, failing_backend_authentication_is_critical_with_the_reason) {
    const auto in =
        running_with(delivering_with({{"state", "failed"},
                                      {"critical", true},
                                      {"mode", "static_token"},
                                      {"message", "the backend refused the credentials (HTTP 401: invalid token)"}}));
    const auto e = evaluate(in, Thresholds{});
    EXPECT_EQ(e.state, k_critical);
    EXPECT_EQ(plugin_line(e).rfind("CRITICAL - backend authentication failing (failed): the backend refused the "
                                   "credentials (HTTP 401: invalid token) |",
                                   0),
              0u)
        << plugin_line(e);
    EXPECT_NE(textfile(e).find("pganalytics_healthcheck_check_status{check=\"auth\"} 2\n"), std::string::npos);
}

TEST(HealthcheckEvaluate, missing_credentials_are_critical) {
    const auto in = running_with(delivering_with(
        {{"state", "no_credentials"}, {"critical", true}, {"message", "no token and no stored identity"}}));
    const auto e = evaluate(in, Thresholds{});
    EXPECT_EQ(e.state, k_critical);
    ASSERT_NE(finding(e, "auth"), nullptr);
    EXPECT_EQ(finding(e, "auth")->message, "backend authentication failing (no_credentials): no token and no stored "
                                           "identity");
}

TEST(HealthcheckEvaluate, a_pipe_in_a_message_cannot_start_the_perfdata) {
    const auto in = running_with(delivering_with({{"state", "failed"}, {"critical", true}, {"message", "a|b\nc"}}));
    const auto line = plugin_line(evaluate(in, Thresholds{}));
    EXPECT_EQ(line.rfind("CRITICAL - backend authentication failing (failed): a/b\\nc |", 0), 0u) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(HealthcheckDecide, failing_authentication_points_at_the_credentials_before_rolling_back) {
    auto in = running_with(delivering_with({{"state", "failed"}, {"critical", true}, {"message", "HTTP 401"}}));
    auto d = decide(evaluate(in, Thresholds{}), in, Thresholds{});
    EXPECT_FALSE(d.rollback);
    EXPECT_EQ(d.branch, "metrics not appearing");
    EXPECT_NE(d.why.find("verify authentication"), std::string::npos) << d.why;
    // Still no push after the critical push age: the guide's "if it continues: ROLLBACK".
    (*in.status)["delivery"]["last_success"] = "2026-02-26T09:40:00Z";
    d = decide(evaluate(in, Thresholds{}), in, Thresholds{});
    EXPECT_TRUE(d.rollback);
    EXPECT_EQ(d.branch, "metrics not appearing");
}

TEST(HealthcheckEvaluate, unreadable_status_is_unknown) {
    Inputs in;
    in.running = true;
    in.status_error = "no such file";
    EXPECT_EQ(evaluate(in, Thresholds{}).state, k_unknown);
}

} // namespace
} // namespace pga::cli::healthcheck
