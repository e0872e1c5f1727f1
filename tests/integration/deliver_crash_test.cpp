// kill -9 of a collector while the backend is down, then a restart: the batches spooled before
// the kill are delivered after it, and lost = created - accepted - counted drops = 0. The
// collector is this test binary re-executed with a disabled test that spools batches forever.
#include "catalog_support.hpp"
#include "deliver_backend.hpp"

#include "pga/deliver/curl_transport.hpp"
#include "pga/deliver/delivery_sink.hpp"

#include <csignal>
#include <cstdlib>
#include <gtest/gtest.h>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace pga;
using namespace std::chrono_literals;

namespace {

constexpr const char* k_token = "crash-static-token";

std::unique_ptr<deliver::DeliverySink> make_sink(const std::filesystem::path& state, const std::string& url) {
    auto c = test::delivery_config(state, url);
    c.backend.token = util::Secret(k_token, "test");
    c.collector.id = test::k_static_collector_id;
    deliver::DeliveryOptions o;
    o.timing = test::fast_timing();
    return std::make_unique<deliver::DeliverySink>(
        c, std::make_unique<deliver::CurlTransport>(deliver::curl_options(c)), o);
}

} // namespace

// The "collector": run only as a child of the test below (PGA_CRASH_STATE and PGA_CRASH_URL set).
TEST(DISABLED_DeliverCrashChild, spools_batches_until_killed) {
    const char* state = std::getenv("PGA_CRASH_STATE");
    const char* url = std::getenv("PGA_CRASH_URL");
    ASSERT_TRUE(state != nullptr && url != nullptr);
    auto sink = make_sink(state, url);
    for (std::uint64_t seq = 1;; ++seq) {
        sink->accept(test::make_batch(seq));
        sink->push_due();
        std::this_thread::sleep_for(50ms);
    }
}

TEST(DeliverCrash, kill_9_while_the_backend_is_down_then_restart_loses_nothing) {
    test::TestBackend backend{{"--static-token", k_token}};
    const auto state = backend.dir() / "state";
    backend.fault({{"mode", "refuse"}});
    const pid_t child = ::fork();
    if (child == 0) {
        ::setenv("PGA_CRASH_STATE", state.c_str(), 1);
        ::setenv("PGA_CRASH_URL", backend.url().c_str(), 1);
        ::execl("/proc/self/exe", "pga_integration_tests", "--gtest_also_run_disabled_tests",
                "--gtest_filter=DISABLED_DeliverCrashChild.*", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ASSERT_GT(child, 0);
    (void)test::wait_for([&] { return test::spool_stats(state).created >= 10; }, 30000); // asserted below
    ::kill(child, SIGKILL);
    int wstatus = 0;
    ::waitpid(child, &wstatus, 0);
    ASSERT_TRUE(WIFSIGNALED(wstatus));
    const auto before = test::spool_stats(state);
    ASSERT_GE(before.created, 10);
    EXPECT_EQ(before.accepted, 0);

    backend.clear();
    auto sink = make_sink(state, backend.url());
    ASSERT_TRUE(sink->wait_drained(20s)) << sink->status().dump();
    sink->shutdown(util::SteadyClock::now() + 1s);
    const auto after = test::spool_stats(state);
    const auto ids = test::accepted_ids(backend.ledger());
    const std::set<std::string> unique(ids.begin(), ids.end());
    EXPECT_EQ(after.created, before.created);
    EXPECT_EQ(static_cast<std::int64_t>(unique.size()), after.created - after.dropped_total());
    EXPECT_EQ(after.created - static_cast<std::int64_t>(unique.size()) - after.dropped_total() - after.batches, 0);
}
