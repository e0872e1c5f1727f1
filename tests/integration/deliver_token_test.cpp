// Registration and the token lifecycle against the real test backend: `register` stores the
// identity privately and prints only the collector_id; tokens are refreshed before exp; after an
// outage longer than the token's life the collector re-registers when it has the secret, and
// otherwise pauses (critical) while it keeps spooling; the ledger identity holds throughout.
#include "catalog_support.hpp"
#include "deliver_backend.hpp"

#include "pga/cli/register.hpp"
#include "pga/deliver/curl_transport.hpp"
#include "pga/deliver/delivery_sink.hpp"
#include "pga/util/files.hpp"
#include "pga/util/strings.hpp"

#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <thread>

using namespace pga;
using namespace std::chrono_literals;
using test::TestBackend;

namespace {

constexpr const char* k_secret = "integration-registration-secret";

// Writes a config file for `pganalytics register` and returns its path.
std::string write_config(const std::filesystem::path& dir, const std::string& url) {
    util::atomic_write(dir / "secret", std::string(k_secret) + "\n", 0600);
    const auto path = dir / "collector.toml";
    util::atomic_write(path,
                       "[collector]\nstate_dir = \"" + (dir / "state").string() +
                           "\"\nlog_file = \"\"\n[backend]\nurl = \"" + url + "\"\nregistration_secret_file = \"" +
                           (dir / "secret").string() + "\"\n",
                       0600);
    return path.string();
}

int run_register(const std::string& config, bool force, std::string* out, std::string* err) {
    std::ostringstream o;
    std::ostringstream e;
    const int rc = cli::run_register(config, force, o, e);
    *out = o.str();
    *err = e.str();
    return rc;
}

std::unique_ptr<deliver::DeliverySink> sink_for(const std::filesystem::path& dir, const std::string& url,
                                                bool with_secret, deliver::Timing timing = test::fast_timing()) {
    auto c = test::delivery_config(dir / "state", url);
    if (with_secret) {
        c.backend.registration_secret = util::Secret(k_secret, "test");
    }
    deliver::DeliveryOptions o;
    o.timing = timing;
    return std::make_unique<deliver::DeliverySink>(
        c, std::make_unique<deliver::CurlTransport>(deliver::curl_options(c)), o);
}

std::int64_t lost(const std::filesystem::path& state, const nlohmann::json& ledger) {
    const auto s = test::spool_stats(state);
    const auto ids = test::accepted_ids(ledger);
    const std::set<std::string> unique(ids.begin(), ids.end());
    return s.created - static_cast<std::int64_t>(unique.size()) - s.dropped_total() - s.batches;
}

} // namespace

TEST(DeliverToken, register_stores_a_private_identity_and_prints_only_the_collector_id) {
    TestBackend backend{{"--registration-secret", k_secret}};
    const auto config = write_config(backend.dir(), backend.url());
    std::string out;
    std::string err;
    ASSERT_EQ(run_register(config, false, &out, &err), 0) << err;
    const auto state = backend.dir() / "state";
    const auto identity = nlohmann::json::parse(util::read_file(state / "identity.json"));
    const std::string id = identity["collector_id"];
    EXPECT_NE(out.find("Collector ID: " + id), std::string::npos) << out;
    const auto token = std::string(util::trim(util::read_file(state / "token")));
    EXPECT_EQ(out.find(token), std::string::npos);
    EXPECT_EQ(out.find("PRIVATE KEY"), std::string::npos);
    EXPECT_EQ(util::file_mode(state / "token"), 0600u);
    EXPECT_EQ(util::file_mode(state / "collector.key"), 0600u);
    EXPECT_EQ(util::file_mode(state / "collector.crt"), 0600u);
    EXPECT_NE(util::read_file(state / "collector.key").find("PRIVATE KEY"), std::string::npos);

    EXPECT_EQ(run_register(config, false, &out, &err), 1);
    EXPECT_NE(err.find("already stored"), std::string::npos) << err;
    EXPECT_NE(err.find("--force"), std::string::npos);
    EXPECT_EQ(backend.ledger()["register_count"], 1);

    ASSERT_EQ(run_register(config, true, &out, &err), 0) << err;
    EXPECT_NE(nlohmann::json::parse(util::read_file(state / "identity.json"))["collector_id"], id);
    EXPECT_EQ(backend.ledger()["register_count"], 2);
}

TEST(DeliverToken, a_wrong_secret_is_refused_and_nothing_is_stored) {
    TestBackend backend{{"--registration-secret", "another-secret"}};
    const auto config = write_config(backend.dir(), backend.url());
    std::string out;
    std::string err;
    EXPECT_EQ(run_register(config, false, &out, &err), 1);
    EXPECT_NE(err.find("HTTP 401"), std::string::npos) << err;
    EXPECT_EQ(err.find(k_secret), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(backend.dir() / "state" / "identity.json"));
}

TEST(DeliverToken, tokens_are_refreshed_before_they_expire) {
    // A 6 s token is refreshed in its last 2 s (a third of its life), where about four sends fall:
    // a stall on a loaded machine does not skip them all.
    TestBackend backend{{"--registration-secret", k_secret, "--token-ttl", "6"}};
    std::string out;
    std::string err;
    ASSERT_EQ(run_register(write_config(backend.dir(), backend.url()), false, &out, &err), 0) << err;
    auto sink = sink_for(backend.dir(), backend.url(), false);
    for (int i = 1; i <= 12; ++i) {
        sink->accept(test::make_batch(static_cast<std::uint64_t>(i)));
        sink->push_due();
        std::this_thread::sleep_for(500ms);
    }
    ASSERT_TRUE(sink->wait_drained(10s));
    sink->shutdown(util::SteadyClock::now() + 1s);
    const auto ledger = backend.ledger();
    EXPECT_GE(ledger["refresh_count"].get<int>(), 1);
    EXPECT_EQ(ledger["register_count"], 1); // never needed a new identity
    EXPECT_EQ(ledger["unique_batch_ids"], 12);
    EXPECT_EQ(lost(backend.dir() / "state", ledger), 0);
}

TEST(DeliverToken, after_an_outage_longer_than_the_token_life_it_re_registers_with_the_secret) {
    TestBackend backend{{"--registration-secret", k_secret, "--token-ttl", "2"}};
    std::string out;
    std::string err;
    ASSERT_EQ(run_register(write_config(backend.dir(), backend.url()), false, &out, &err), 0) << err;
    const auto first_id = nlohmann::json::parse(util::read_file(backend.dir() / "state/identity.json"))["collector_id"];
    auto sink = sink_for(backend.dir(), backend.url(), true);
    backend.fault({{"mode", "refuse"}});
    sink->accept(test::make_batch(1));
    sink->push_due();
    std::this_thread::sleep_for(3s); // the token dies during the outage
    sink->accept(test::make_batch(2));
    backend.clear();
    ASSERT_TRUE(sink->wait_drained(15s)) << sink->status().dump();
    sink->shutdown(util::SteadyClock::now() + 1s);
    const auto ledger = backend.ledger();
    EXPECT_EQ(ledger["register_count"], 2);
    const auto second_id =
        nlohmann::json::parse(util::read_file(backend.dir() / "state/identity.json"))["collector_id"];
    EXPECT_NE(first_id, second_id);
    for (const auto& r : ledger["accepted"]) {
        EXPECT_EQ(r["collector_id"], second_id);
    }
    EXPECT_EQ(lost(backend.dir() / "state", ledger), 0);
}

TEST(DeliverToken, without_a_secret_an_expired_token_pauses_sending_and_keeps_spooling) {
    TestBackend backend{{"--registration-secret", k_secret}};
    std::string out;
    std::string err;
    ASSERT_EQ(run_register(write_config(backend.dir(), backend.url()), false, &out, &err), 0) << err;
    // Paused for auth, the sink probes now and then and reports "ok" for a moment each time: with
    // probes 4 s apart, the state read below falls between two of them.
    auto timing = test::fast_timing();
    timing.auth_probe = 4s;
    auto sink = sink_for(backend.dir(), backend.url(), false, timing);
    backend.fault({{"mode", "expire_tokens"}});
    for (int i = 1; i <= 3; ++i) {
        sink->accept(test::make_batch(static_cast<std::uint64_t>(i)));
        sink->push_due();
        std::this_thread::sleep_for(200ms);
    }
    // push, 401, refresh, 401, no secret: paused (awaited, for a loaded machine).
    nlohmann::json status;
    ASSERT_TRUE(test::wait_for(
        [&] {
            status = sink->status();
            return status["auth"]["state"] == "failed";
        },
        30000))
        << status.dump();
    EXPECT_TRUE(status["auth"]["critical"].get<bool>());
    EXPECT_EQ(status["spool"]["batches"], 3);
    EXPECT_EQ(backend.ledger()["register_count"], 1);
    // The operator registers again: the next probe picks the new identity up and the backlog goes.
    ASSERT_EQ(run_register(write_config(backend.dir(), backend.url()), true, &out, &err), 0) << err;
    ASSERT_TRUE(sink->wait_drained(10s)) << sink->status().dump();
    sink->shutdown(util::SteadyClock::now() + 1s);
    EXPECT_EQ(lost(backend.dir() / "state", backend.ledger()), 0);
}

TEST(DeliverToken, a_static_token_is_used_as_is) {
    TestBackend backend{{"--static-token", "opaque-static", "--static-collector-id", "static-id"}};
    auto c = test::delivery_config(backend.dir() / "state", backend.url());
    c.backend.token = util::Secret("opaque-static", "test");
    c.collector.id = "static-id";
    deliver::DeliveryOptions o;
    o.timing = test::fast_timing();
    deliver::DeliverySink sink(c, std::make_unique<deliver::CurlTransport>(deliver::curl_options(c)), o);
    sink.accept(test::make_batch(1));
    sink.push_due();
    ASSERT_TRUE(sink.wait_drained(10s)) << sink.status().dump();
    const auto ledger = backend.ledger();
    EXPECT_EQ(ledger["accepted"][0]["collector_id"], "static-id");
    EXPECT_EQ(ledger["refresh_count"], 0);
}
