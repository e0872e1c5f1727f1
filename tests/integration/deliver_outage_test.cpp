// Delivery against the real test backend on loopback, through libcurl: an outage then recovery,
// every retryable and non-retryable answer, and the ledger identity
// lost = created - accepted - counted drops = 0 checked against the backend's own ledger.
#include "catalog_support.hpp"
#include "deliver_backend.hpp"

#include "pga/collect/envelope.hpp"
#include "pga/deliver/curl_transport.hpp"
#include "pga/deliver/delivery_sink.hpp"

#include <gtest/gtest.h>
#include <set>
#include <thread>

using namespace pga;
using namespace std::chrono_literals;
using test::TestBackend;

namespace {

constexpr const char* k_token = "integration-static-token";

struct Rig {
    TestBackend backend{{"--static-token", k_token}};
    std::filesystem::path dir = backend.dir() / "state";
    std::unique_ptr<deliver::DeliverySink> sink;
    std::uint64_t sequence = 0;

    explicit Rig(std::function<void(config::Config&)> tweak = {}) {
        auto c = test::delivery_config(dir, backend.url());
        c.backend.token = util::Secret(k_token, "test");
        c.collector.id = test::k_static_collector_id;
        if (tweak) {
            tweak(c);
        }
        deliver::DeliveryOptions o;
        o.timing = test::fast_timing();
        sink = std::make_unique<deliver::DeliverySink>(
            c, std::make_unique<deliver::CurlTransport>(deliver::curl_options(c)), o);
    }
    std::string send(int metrics = 2, std::size_t pad = 16) {
        auto b = test::make_batch(++sequence, metrics, pad);
        const auto id = b.batch_id;
        sink->accept(std::move(b));
        sink->push_due();
        return id;
    }
    void drain() { ASSERT_TRUE(sink->wait_drained(20s)) << sink->status().dump(); }
    // Asserts the ledger identity with the backend's ledger as the truth for "accepted".
    void expect_nothing_lost() {
        sink->shutdown(util::SteadyClock::now() + 2s);
        const auto s = test::spool_stats(dir);
        const auto ledger = backend.ledger();
        const auto ids = test::accepted_ids(ledger);
        const std::set<std::string> unique(ids.begin(), ids.end());
        EXPECT_EQ(s.created - static_cast<std::int64_t>(unique.size()) - s.dropped_total() - s.batches, 0)
            << ledger.dump();
        EXPECT_EQ(s.accepted, static_cast<std::int64_t>(unique.size()));
    }
};

} // namespace

TEST(DeliverOutage, backend_down_for_a_while_then_back_loses_nothing_and_sends_newest_first) {
    Rig rig;
    rig.backend.fault({{"mode", "refuse"}});
    std::vector<std::string> sent;
    for (int i = 0; i < 6; ++i) {
        sent.push_back(rig.send());
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(rig.sink->status()["spool"]["batches"], 6);
    // At least one attempt failed before the backend comes back (a starved delivery thread may
    // not have tried yet), so the sink is in its retry state, which sends the newest first.
    ASSERT_TRUE(test::wait_for([&] { return rig.sink->status()["consecutive_failures"].get<int>() > 0; }, 30000));
    rig.backend.clear();
    rig.drain();
    const auto ids = test::accepted_ids(rig.backend.ledger());
    ASSERT_EQ(ids.size(), 6u);
    EXPECT_EQ(ids[0], sent.back());                                 // the newest first
    EXPECT_EQ(std::vector<std::string>(ids.begin() + 1, ids.end()), // then oldest to newest
              std::vector<std::string>(sent.begin(), sent.end() - 1));
    EXPECT_EQ(rig.sink->status()["consecutive_failures"], 0);
    EXPECT_FALSE(rig.sink->status()["last_success"].is_null());
    rig.expect_nothing_lost();
}

TEST(DeliverOutage, every_retryable_answer_is_retried_until_accepted) {
    Rig rig;
    for (int status : {408, 429, 500, 502, 503, 504}) {
        nlohmann::json f = {{"mode", "status"}, {"status", status}, {"count", 2}, {"path", "/api/v1/metrics/push"}};
        if (status == 429 || status == 503) {
            f["retry_after"] = "0";
        }
        rig.backend.fault(f);
    }
    rig.backend.fault({{"mode", "reset"}, {"path", "/api/v1/metrics/push"}});
    rig.backend.fault({{"mode", "commit_then_drop"}, {"path", "/api/v1/metrics/push"}});
    rig.backend.fault({{"mode", "garbage"}, {"status", 502}, {"path", "/api/v1/metrics/push"}});
    rig.send();
    rig.send();
    rig.drain();
    const auto ledger = rig.backend.ledger();
    EXPECT_GE(ledger["duplicates"].get<int>(), 1); // commit_then_drop: stored, then resent
    EXPECT_EQ(ledger["unique_batch_ids"], 2);
    EXPECT_GE(rig.sink->status()["requests"]["retry"].get<int>(), 13);
    rig.expect_nothing_lost();
}

TEST(DeliverOutage, a_hanging_backend_is_cut_by_the_timeout_and_retried) {
    Rig rig([](config::Config& c) { c.backend.timeout_s = 1; });
    rig.backend.fault({{"mode", "hang"}, {"seconds", 30}, {"path", "/api/v1/metrics/push"}});
    rig.send();
    rig.drain();
    EXPECT_EQ(rig.backend.ledger()["unique_batch_ids"], 1);
    rig.expect_nothing_lost();
}

TEST(DeliverOutage, any_2xx_counts_as_delivered) {
    Rig rig;
    rig.backend.fault({{"mode", "status"}, {"status", 202}, {"commit", true}, {"path", "/api/v1/metrics/push"}});
    rig.backend.fault({{"mode", "garbage"}, {"status", 200}, {"commit", true}, {"path", "/api/v1/metrics/push"}});
    rig.send();
    rig.send();
    rig.drain();
    EXPECT_EQ(rig.backend.ledger()["duplicates"], 0);
    rig.expect_nothing_lost();
}

TEST(DeliverOutage, rejected_batches_are_counted_and_not_retried) {
    Rig rig;
    rig.backend.fault({{"mode", "status"}, {"status", 400}, {"path", "/api/v1/metrics/push"}});
    rig.backend.fault({{"mode", "status"}, {"status", 422}, {"path", "/api/v1/metrics/push"}});
    rig.send();
    rig.send();
    rig.send();
    rig.drain();
    const auto s = rig.sink->status();
    EXPECT_EQ(s["spool"]["dropped"]["rejected"], 2);
    EXPECT_EQ(rig.backend.ledger()["unique_batch_ids"], 1);
    rig.expect_nothing_lost();
}

TEST(DeliverOutage, too_large_is_split_once_then_set_aside) {
    Rig rig;
    rig.backend.fault({{"mode", "status"}, {"status", 413}, {"path", "/api/v1/metrics/push"}});
    rig.send(4);
    rig.drain();
    EXPECT_EQ(rig.backend.ledger()["unique_batch_ids"], 2); // the two halves
    rig.backend.fault({{"mode", "status"}, {"status", 413}, {"count", 3}, {"path", "/api/v1/metrics/push"}});
    rig.send(4);
    rig.drain();
    EXPECT_EQ(rig.sink->status()["spool"]["dropped"]["too_large"], 2);
    rig.expect_nothing_lost();
}

TEST(DeliverOutage, large_batches_go_in_requests_under_max_request_kib) {
    Rig rig([](config::Config& c) { c.backend.max_request_kib = 16; });
    rig.send(40, 1000); // about 40 KiB
    rig.drain();
    const auto ledger = rig.backend.ledger();
    EXPECT_GE(ledger["unique_batch_ids"].get<int>(), 3);
    for (const auto& r : ledger["accepted"]) {
        EXPECT_LE(r["bytes"].get<int>(), 16 * 1024);
    }
    EXPECT_EQ(ledger["metrics_total"], 40);
    // Every part is a complete push body of the one envelope, schema_version included.
    const auto bodies = rig.backend.control("GET", "/_test/bodies")["bodies"];
    EXPECT_EQ(bodies.size(), ledger["accepted"].size());
    for (const auto& b : bodies) {
        EXPECT_EQ(b["body"]["schema_version"], collect::k_schema_version) << b.dump();
        EXPECT_EQ(b["body"]["collector_id"], test::k_static_collector_id);
        EXPECT_EQ(b["body"]["metrics_count"], b["body"]["metrics"].size());
    }
    rig.expect_nothing_lost();
}

TEST(DeliverOutage, gzip_bodies_when_configured) {
    TestBackend backend{{"--static-token", k_token, "--accept-gzip"}};
    auto c = test::delivery_config(backend.dir() / "state", backend.url());
    c.backend.token = util::Secret(k_token, "test");
    c.collector.id = test::k_static_collector_id;
    c.backend.compression = "gzip";
    deliver::DeliveryOptions o;
    o.timing = test::fast_timing();
    deliver::DeliverySink sink(c, std::make_unique<deliver::CurlTransport>(deliver::curl_options(c)), o);
    sink.accept(test::make_batch(1, 5, 2000));
    sink.push_due();
    ASSERT_TRUE(sink.wait_drained(10s));
    const auto ledger = backend.ledger();
    ASSERT_EQ(ledger["accepted_count"], 1);
    EXPECT_EQ(ledger["accepted"][0]["content_encoding"], "gzip");
    EXPECT_LT(ledger["accepted"][0]["bytes"].get<int>(), ledger["accepted"][0]["decoded_bytes"].get<int>());
}

TEST(DeliverOutage, shutdown_is_bounded_while_the_backend_hangs) {
    Rig rig;
    rig.backend.fault({{"mode", "hang"}, {"seconds", 60}, {"count", -1}});
    rig.send();
    std::this_thread::sleep_for(300ms);
    const auto start = util::SteadyClock::now();
    rig.sink->shutdown(start + 1s);
    // The deadline (1 s), plus up to a second until curl's progress callback sees it on an idle
    // transfer, plus slack for a loaded machine: far below the 60 s hang.
    EXPECT_LT(util::SteadyClock::now() - start, 5s);
    EXPECT_EQ(test::spool_stats(rig.dir).batches, 1); // still spooled for the next start
    rig.backend.clear();
}
