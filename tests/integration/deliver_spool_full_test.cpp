// A full spool during an outage: the oldest batches are dropped and counted, the rest delivered
// once the backend is back, and lost = created - accepted - counted drops = 0.
#include "deliver_backend.hpp"

#include "pga/deliver/curl_transport.hpp"
#include "pga/deliver/delivery_sink.hpp"

#include <gtest/gtest.h>
#include <set>

using namespace pga;
using namespace std::chrono_literals;

TEST(DeliverSpoolFull, the_oldest_batches_are_dropped_and_counted) {
    test::TestBackend backend{{"--static-token", "full-token"}};
    auto c = test::delivery_config(backend.dir() / "state", backend.url());
    c.backend.token = util::Secret("full-token", "test");
    c.collector.id = test::k_static_collector_id;
    c.spool.max_size_mib = 1;
    deliver::DeliveryOptions o;
    o.timing = test::fast_timing();
    deliver::DeliverySink sink(c, std::make_unique<deliver::CurlTransport>(deliver::curl_options(c)), o);
    backend.fault({{"mode", "refuse"}});
    std::vector<std::string> ids;
    for (std::uint64_t i = 1; i <= 30; ++i) {
        auto b = test::make_batch(i, 4, 25'000); // about 100 KB each: 3 MB in a 1 MiB spool
        ids.push_back(b.batch_id);
        sink.accept(std::move(b));
    }
    const auto status = sink.status();
    EXPECT_GT(status["spool"]["dropped"]["overflow"].get<int>(), 15) << status.dump();
    EXPECT_LE(status["spool"]["bytes"].get<int>(), 1 << 20);
    backend.clear();
    sink.push_due();
    ASSERT_TRUE(sink.wait_drained(20s)) << sink.status().dump();
    sink.shutdown(util::SteadyClock::now() + 1s);
    const auto accepted = test::accepted_ids(backend.ledger());
    const std::set<std::string> unique(accepted.begin(), accepted.end());
    EXPECT_TRUE(unique.count(ids.back()) == 1);  // the newest survived
    EXPECT_TRUE(unique.count(ids.front()) == 0); // the oldest were dropped
    const auto s = test::spool_stats(backend.dir() / "state");
    EXPECT_EQ(s.created, 30);
    EXPECT_EQ(s.created - static_cast<std::int64_t>(unique.size()) - s.dropped_total() - s.batches, 0);
}
