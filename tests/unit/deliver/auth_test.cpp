// Unit tests of pga/deliver/auth: refresh before exp, persistence of new tokens, re-registration
// after expiry with a secret, pause without one, and no re-registration loop.
#include "pga/util/files.hpp"
#include "pga/util/strings.hpp"
#include "rig.hpp"

#include <gtest/gtest.h>

using namespace pga::deliver;
using namespace std::chrono_literals;
using pga::test::json_response;
using pga::test::SenderRig;

TEST(Auth, token_is_refreshed_well_before_exp_and_persisted) {
    SenderRig rig;
    rig.stored_identity("c-1", rig.clock.wall_s(), 1800);
    rig.start();
    rig.put("a");
    rig.drain_all();
    EXPECT_TRUE(rig.transport.to("/refresh-token").empty());
    rig.clock.advance(1201s); // two thirds of the life
    rig.put("b");
    rig.drain_all();
    ASSERT_EQ(rig.transport.to("/refresh-token").size(), 1u);
    const auto stored = pga::util::read_file(rig.dir.path() / "token");
    const auto claims = decode_jwt(std::string(pga::util::trim(stored)));
    ASSERT_TRUE(claims);
    EXPECT_EQ(*claims->exp, rig.clock.wall_s() + 1800);
    EXPECT_EQ(pga::util::file_mode(rig.dir.path() / "token"), 0600u);
    EXPECT_EQ(rig.spool->stats().accepted, 2);
}

TEST(Auth, expired_token_with_a_secret_re_registers_and_sends_as_the_new_collector) {
    SenderRig rig;
    rig.config.backend.registration_secret = pga::util::Secret("s3cret", "test");
    rig.stored_identity("old-id", rig.clock.wall_s() - 4000, 1800);
    rig.start();
    rig.put("a");
    rig.drain_all();
    ASSERT_EQ(rig.transport.to("/collectors/register").size(), 1u);
    const auto push = rig.transport.to("/api/v1/metrics/push").at(0);
    EXPECT_EQ(nlohmann::json::parse(push.body)["collector_id"], "new-1");
    const auto identity = nlohmann::json::parse(pga::util::read_file(rig.dir.path() / "identity.json"));
    EXPECT_EQ(identity["collector_id"], "new-1");
    EXPECT_EQ(pga::util::file_mode(rig.dir.path() / "collector.key"), 0600u);
    EXPECT_EQ(rig.spool->stats().accepted, 1);
    bool secret_sent = false;
    const auto registration = rig.transport.to("/collectors/register").at(0);
    for (const auto& [k, v] : registration.headers) {
        secret_sent |= k == "X-Registration-Secret" && v == "s3cret";
    }
    EXPECT_TRUE(secret_sent);
}

TEST(Auth, expired_token_without_a_secret_pauses_as_critical_and_keeps_spooling) {
    SenderRig rig;
    rig.stored_identity("old-id", rig.clock.wall_s() - 4000, 1800);
    rig.start();
    rig.put("a");
    rig.drain_all(3);
    EXPECT_TRUE(rig.transport.to("/api/v1/metrics/push").empty());
    EXPECT_TRUE(rig.transport.to("/collectors/register").empty());
    const auto status = rig.auth->status();
    EXPECT_EQ(status["state"], "failed");
    EXPECT_TRUE(status["critical"].get<bool>());
    rig.put("b");
    EXPECT_EQ(rig.spool->stats().batches, 2);
}

TEST(Auth, rejected_token_is_refreshed_and_the_push_resent) {
    SenderRig rig;
    rig.stored_identity("c-1", rig.clock.wall_s(), 1800);
    int pushes = 0;
    rig.push_handler = [&](const HttpRequest&) {
        return ++pushes == 1 ? json_response(401, {}) : json_response(200, {});
    };
    rig.start();
    rig.put("a");
    rig.drain_all();
    EXPECT_EQ(rig.transport.to("/refresh-token").size(), 1u);
    EXPECT_EQ(pushes, 2);
    EXPECT_EQ(rig.spool->stats().accepted, 1);
}

TEST(Auth, never_re_registers_in_a_loop) {
    SenderRig rig;
    rig.config.backend.registration_secret = pga::util::Secret("s3cret", "test");
    rig.stored_identity("c-1", rig.clock.wall_s(), 1800);
    rig.push_handler = [&](const HttpRequest&) { return json_response(401, {}); };
    rig.transport.handler = [&](const HttpRequest& r) {
        if (r.url.find("/refresh-token") != std::string::npos) {
            return json_response(401, {});
        }
        return rig.route(r);
    };
    rig.start();
    rig.put("a");
    for (int i = 0; i < 20; ++i) {
        rig.sender->drain();
        rig.clock.advance(rig.timing.auth_probe);
    }
    // 20 minutes of rejection: at most one registration per reregister_min_gap (10 min) + the first.
    EXPECT_LE(rig.transport.to("/collectors/register").size(), 3u);
    EXPECT_EQ(rig.spool->stats().batches, 1);
}

TEST(Auth, no_credentials_and_no_secret_is_critical) {
    SenderRig rig;
    rig.start();
    rig.put("a");
    rig.sender->drain();
    EXPECT_TRUE(rig.transport.requests.empty());
    EXPECT_EQ(rig.auth->status()["state"], "failed");
}

TEST(Auth, a_registration_made_while_paused_is_picked_up_at_the_next_probe) {
    SenderRig rig;
    rig.start();
    rig.put("a");
    rig.sender->drain();
    EXPECT_TRUE(rig.transport.requests.empty());
    rig.stored_identity("late-id", rig.clock.wall_s(), 1800); // `pganalytics register` ran meanwhile
    rig.clock.advance(rig.timing.auth_probe);
    rig.drain_all();
    EXPECT_EQ(rig.spool->stats().accepted, 1);
    EXPECT_EQ(nlohmann::json::parse(rig.transport.to("/api/v1/metrics/push").at(0).body)["collector_id"], "late-id");
}

TEST(Auth, an_opaque_static_token_without_a_collector_id_is_not_sent) {
    SenderRig rig;
    rig.static_token("opaque", "");
    rig.start();
    rig.put("a");
    rig.sender->drain();
    EXPECT_TRUE(rig.transport.requests.empty());
    EXPECT_EQ(rig.auth->status()["state"], "failed");
    EXPECT_EQ(rig.spool->stats().batches, 1);
}
