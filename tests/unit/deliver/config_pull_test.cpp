// Unit tests of pga/deliver/config_pull: merge rules, validation, "not available here" back-off.
#include "pga/deliver/config_pull.hpp"

#include "pga/util/files.hpp"
#include "rig.hpp"

#include <gtest/gtest.h>

using namespace pga::deliver;
using namespace std::chrono_literals;
using pga::test::json_response;
using pga::test::SenderRig;

TEST(ConfigPull, merge_keeps_local_keys_and_ignores_dangerous_ones) {
    const auto merged =
        merge_pulled_config("[backend]\nurl = \"https://good\"\n[collector]\ninterval = 60\n",
                            "[backend]\nurl = \"https://evil\"\n[collector]\ninterval = 30\nstate_dir = \"/tmp/x\"\n"
                            "[postgresql]\nhost = \"evil\"\nquery_stats_limit = 500\n");
    EXPECT_NE(merged.text.find("https://good"), std::string::npos);
    EXPECT_EQ(merged.text.find("evil"), std::string::npos);
    EXPECT_NE(merged.text.find("interval = 30"), std::string::npos);
    EXPECT_NE(merged.text.find("query_stats_limit = 500"), std::string::npos);
    EXPECT_EQ(merged.ignored, (std::vector<std::string>{"backend", "collector.state_dir", "postgresql.host"}));
}

TEST(ConfigPull, merge_reports_invalid_toml) {
    EXPECT_FALSE(merge_pulled_config("", "[collector\n").error.empty());
}

namespace {

struct PullRig : SenderRig {
    std::vector<std::pair<pga::config::Config, std::string>> applied;
    std::unique_ptr<ConfigPuller> puller;
    std::function<HttpResponse()> config_answer;

    PullRig() {
        static_token(pga::test::make_jwt("c-1", 0, 4'000'000'000));
        config.collector.config_pull_interval_s = 300;
        config.source_path = (dir.path() / "collector.toml").string();
        pga::util::atomic_write(config.source_path,
                                "[collector]\ninterval = 60\nstate_dir = \"" + dir.path().string() + "\"\n");
        transport.handler = [this](const HttpRequest& r) {
            return r.url.find("/api/v1/config/") != std::string::npos ? config_answer() : route(r);
        };
        start();
        puller = std::make_unique<ConfigPuller>(
            config, *client, *auth, timing, clock.clocks(),
            [this](pga::config::Config c, std::string v) { applied.emplace_back(std::move(c), std::move(v)); });
    }
    void tick(std::chrono::milliseconds d) {
        clock.advance(d);
        puller->poll();
    }
};

} // namespace

TEST(ConfigPull, a_valid_pull_is_applied_whole_and_once_per_version) {
    PullRig rig;
    rig.config_answer = [] {
        return HttpResponse{200, {{"x-config-version", "7"}}, "[collector]\ninterval = 15\n", ""};
    };
    rig.tick(299s);
    EXPECT_TRUE(rig.applied.empty());
    rig.tick(1s);
    ASSERT_EQ(rig.applied.size(), 1u);
    EXPECT_EQ(rig.applied[0].first.collector.interval_s, 15);
    EXPECT_EQ(rig.applied[0].second, "7");
    EXPECT_EQ(rig.transport.to("/api/v1/config/c-1").size(), 1u);
    rig.tick(300s);
    EXPECT_EQ(rig.applied.size(), 1u); // same version: not applied again
}

TEST(ConfigPull, an_invalid_pull_is_not_applied) {
    PullRig rig;
    rig.config_answer = [] {
        return HttpResponse{200, {{"x-config-version", "8"}}, "[collector]\ninterval = -5\n", ""};
    };
    rig.tick(300s);
    EXPECT_TRUE(rig.applied.empty());
}

TEST(ConfigPull, unauthorized_means_not_available_and_backs_off_without_a_loop) {
    for (int status : {401, 403, 404}) {
        PullRig rig;
        rig.config_answer = [status] { return json_response(status, {{"message", "no"}}); };
        for (int i = 0; i < 24; ++i) {
            rig.tick(300s); // two hours
        }
        EXPECT_LE(rig.transport.to("/api/v1/config/c-1").size(), 3u) << status;
        EXPECT_GE(rig.transport.to("/api/v1/config/c-1").size(), 1u) << status;
    }
}
