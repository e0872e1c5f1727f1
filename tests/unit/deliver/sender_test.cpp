// Unit tests of pga/deliver/sender: order after an outage, retry classes, Retry-After, pacing,
// splitting on 413 and the ledger identity, against a scripted fake backend.
#include "rig.hpp"

#include <gtest/gtest.h>

using namespace pga::deliver;
using namespace std::chrono_literals;
using pga::test::json_response;
using pga::test::SenderRig;

namespace {

// Returns created - accepted - counted drops - backlog: what was lost without a count.
std::int64_t lost(Spool& spool) {
    const auto s = spool.stats();
    return s.created - s.accepted - s.dropped_total() - s.batches;
}

} // namespace

TEST(Sender, sends_newest_first_then_the_backlog_oldest_to_newest) {
    SenderRig rig;
    rig.static_token();
    rig.start();
    for (const char* id : {"a", "b", "c", "d"}) {
        rig.put(id);
    }
    rig.drain_all();
    EXPECT_EQ(rig.pushed_ids(), (std::vector<std::string>{"d", "a", "b", "c"}));
    EXPECT_EQ(rig.spool->stats().accepted, 4);
    EXPECT_EQ(lost(*rig.spool), 0);
}

TEST(Sender, after_an_outage_the_newest_goes_first_again) {
    SenderRig rig;
    rig.static_token();
    int failures = 3;
    rig.push_handler = [&](const HttpRequest&) {
        return failures-- > 0 ? HttpResponse{0, {}, "", "Connection refused"} : json_response(200, {});
    };
    rig.start();
    rig.put("a");
    rig.drain_all(1); // first attempt fails
    rig.put("b");
    rig.put("c");
    rig.drain_all();
    const auto ids = rig.pushed_ids();
    const std::vector<std::string> accepted(ids.end() - 3, ids.end());
    EXPECT_EQ(accepted, (std::vector<std::string>{"c", "a", "b"}));
    EXPECT_EQ(lost(*rig.spool), 0);
    EXPECT_EQ(rig.sender->status()["consecutive_failures"], 0);
    EXPECT_EQ(rig.sender->status()["requests"]["transport_error"], 3);
}

TEST(Sender, every_retryable_status_keeps_the_batch_and_backs_off) {
    for (int status : {0, 408, 429, 500, 502, 503, 504}) {
        SenderRig rig;
        rig.static_token();
        int calls = 0;
        rig.push_handler = [&](const HttpRequest&) {
            return ++calls == 1 ? HttpResponse{status, {}, "{}", status == 0 ? "reset" : ""} : json_response(200, {});
        };
        rig.start();
        rig.put("a");
        const auto before = rig.clock.steady;
        const auto next = rig.sender->drain();
        ASSERT_TRUE(next) << status;
        EXPECT_LE(*next - before, rig.timing.backoff_base + rig.timing.pace + 10ms) << status;
        EXPECT_EQ(rig.spool->stats().batches, 1) << status;
        rig.drain_all();
        EXPECT_EQ(rig.spool->stats().accepted, 1) << status;
        EXPECT_EQ(lost(*rig.spool), 0) << status;
    }
}

TEST(Sender, retry_after_is_honoured) {
    SenderRig rig;
    rig.static_token();
    int calls = 0;
    rig.push_handler = [&](const HttpRequest&) {
        return ++calls == 1 ? json_response(429, {{"message", "rate limited"}}, {{"retry-after", "17"}})
                            : json_response(200, {});
    };
    rig.start();
    rig.put("a");
    const auto next = rig.sender->drain();
    ASSERT_TRUE(next);
    EXPECT_EQ(*next - rig.clock.steady, 17s);
    EXPECT_EQ(rig.sender->status()["last_error"], "HTTP 429: rate limited");
}

TEST(Sender, rejected_batches_are_set_aside_counted_and_not_retried) {
    for (int status : {400, 422}) {
        SenderRig rig;
        rig.static_token();
        rig.push_handler = [&](const HttpRequest& r) {
            return nlohmann::json::parse(r.body)["batch_id"] == "bad" ? json_response(status, {})
                                                                      : json_response(200, {});
        };
        rig.start();
        rig.put("ok1");
        rig.put("bad");
        rig.put("ok2");
        rig.drain_all();
        const auto s = rig.spool->stats();
        EXPECT_EQ(s.dropped.at("rejected"), 1) << status;
        EXPECT_EQ(s.accepted, 2) << status;
        EXPECT_EQ(rig.transport.to("/api/v1/metrics/push").size(), 3u) << status;
        EXPECT_EQ(lost(*rig.spool), 0);
    }
}

TEST(Sender, too_large_splits_once_then_sets_aside) {
    SenderRig rig;
    rig.static_token();
    rig.push_handler = [&](const HttpRequest& r) {
        const auto doc = nlohmann::json::parse(r.body);
        return doc["metrics"].size() > 1 || doc["batch_id"] == "big-h2" ? json_response(413, {})
                                                                        : json_response(200, {});
    };
    rig.start();
    SpoolItem big;
    big.batch_id = "big";
    big.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(rig.clock.wall.time_since_epoch()).count();
    big.metrics_count = 2;
    big.body = R"([{"type":"a"},{"type":"b"}])";
    rig.spool->put({big});
    rig.drain_all();
    const auto s = rig.spool->stats();
    EXPECT_EQ(s.created, 2);
    EXPECT_EQ(s.accepted, 1);
    EXPECT_EQ(s.dropped.at("too_large"), 1);
    EXPECT_EQ(lost(*rig.spool), 0);
}

TEST(Sender, requests_are_paced_under_the_backend_rate_limit) {
    SenderRig rig;
    rig.static_token();
    rig.start();
    for (int i = 0; i < 10; ++i) {
        rig.put("b" + std::to_string(i));
    }
    rig.transport.requests.clear();
    std::vector<pga::util::SteadyClock::time_point> sent;
    rig.push_handler = [&](const HttpRequest&) {
        sent.push_back(rig.clock.steady);
        return json_response(200, {});
    };
    rig.drain_all();
    ASSERT_EQ(sent.size(), 10u);
    for (std::size_t i = 1; i < sent.size(); ++i) {
        EXPECT_GE(sent[i] - sent[i - 1], 60ms); // 1000 requests/minute at most
    }
}

TEST(Sender, envelope_uses_the_token_collector_id_and_the_bearer_token) {
    SenderRig rig;
    rig.static_token(pga::test::make_jwt("claim-id", 0, 4'000'000'000), "configured-id");
    rig.start();
    rig.put("a");
    rig.drain_all();
    const auto pushes = rig.transport.to("/api/v1/metrics/push");
    ASSERT_EQ(pushes.size(), 1u);
    EXPECT_EQ(pushes[0].url, "http://backend:8080/api/v1/metrics/push");
    EXPECT_EQ(nlohmann::json::parse(pushes[0].body)["collector_id"], "claim-id");
    EXPECT_EQ(nlohmann::json::parse(pushes[0].body)["hostname"], "db-host");
    bool bearer = false;
    for (const auto& [k, v] : pushes[0].headers) {
        bearer |= k == "Authorization" && v.rfind("Bearer eyJ", 0) == 0;
    }
    EXPECT_TRUE(bearer);
}

TEST(Sender, static_token_rejected_pauses_sending_keeps_spooling_and_probes) {
    SenderRig rig;
    rig.static_token();
    bool accept = false;
    rig.push_handler = [&](const HttpRequest&) { return accept ? json_response(200, {}) : json_response(401, {}); };
    rig.start();
    rig.put("a");
    rig.put("b");
    const auto next = rig.sender->drain();
    ASSERT_TRUE(next);
    EXPECT_EQ(*next - rig.clock.steady, rig.timing.auth_probe);
    EXPECT_TRUE(rig.auth->status()["critical"].get<bool>());
    EXPECT_EQ(rig.sender->drain(), next); // paused: no request
    EXPECT_EQ(rig.transport.to("/api/v1/metrics/push").size(), 1u);
    rig.put("c");
    EXPECT_EQ(rig.spool->stats().batches, 3);
    accept = true;
    rig.clock.advance(rig.timing.auth_probe);
    rig.drain_all();
    EXPECT_EQ(rig.spool->stats().accepted, 3);
    EXPECT_FALSE(rig.auth->status()["critical"].get<bool>());
}

TEST(Sender, redirects_are_not_followed_and_the_batch_is_kept) {
    SenderRig rig;
    rig.static_token();
    rig.push_handler = [&](const HttpRequest&) {
        return HttpResponse{302, {{"location", "http://elsewhere/"}}, "", ""};
    };
    rig.start();
    rig.put("a");
    rig.sender->drain();
    EXPECT_EQ(rig.spool->stats().batches, 1);
    EXPECT_EQ(rig.transport.requests.size(), 1u);
}
