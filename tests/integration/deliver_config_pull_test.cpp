// Config pull against the test backend: a TOML served with X-Config-Version is validated and
// handed over whole; a backend that answers 401 (the real one does, for collector tokens) is
// "not available here": asked once, then left alone for a long while.
#include "catalog_support.hpp"
#include "deliver_backend.hpp"

#include "pga/deliver/curl_transport.hpp"
#include "pga/deliver/delivery_sink.hpp"
#include "pga/util/files.hpp"

#include <atomic>
#include <gtest/gtest.h>
#include <mutex>
#include <thread>

using namespace pga;
using namespace std::chrono_literals;

namespace {

struct Pulled {
    std::mutex mutex;
    std::vector<std::pair<config::Config, std::string>> configs;
};

std::unique_ptr<deliver::DeliverySink> sink_with_pull(test::TestBackend& backend, Pulled& pulled) {
    auto c = test::delivery_config(backend.dir() / "state", backend.url());
    c.backend.token = util::Secret(backend.mint_token("pull-collector", 3600), "test");
    c.collector.config_pull_interval_s = 1;
    c.source_path = (backend.dir() / "collector.toml").string();
    util::atomic_write(c.source_path,
                       "[collector]\ninterval = 60\nstate_dir = \"" + (backend.dir() / "state").string() + "\"\n");
    deliver::DeliveryOptions o;
    o.timing = test::fast_timing();
    o.on_config = [&pulled](config::Config config, std::string version) {
        std::lock_guard lock(pulled.mutex);
        pulled.configs.emplace_back(std::move(config), std::move(version));
    };
    return std::make_unique<deliver::DeliverySink>(
        c, std::make_unique<deliver::CurlTransport>(deliver::curl_options(c)), o);
}

std::size_t config_requests(const test::TestBackend& backend) {
    std::size_t n = 0;
    const auto log = backend.control("GET", "/_test/requests");
    for (const auto& r : log["requests"]) {
        n += r["path"].get<std::string>().rfind("/api/v1/config/", 0) == 0 ? 1 : 0;
    }
    return n;
}

} // namespace

TEST(DeliverConfigPull, a_served_configuration_is_validated_and_handed_over) {
    const auto toml = std::filesystem::temp_directory_path() / ("pga-pull-" + std::to_string(::getpid()) + ".toml");
    util::atomic_write(toml, "[collector]\ninterval = 20\n[backend]\nurl = \"http://evil.example\"\n");
    test::TestBackend backend{{"--config-toml", toml.string(), "--config-allow-collector"}};
    Pulled pulled;
    auto sink = sink_with_pull(backend, pulled);
    // The first pull is due 1 s after start; 30 s for a loaded machine (asserted below, with what came).
    (void)test::wait_for(
        [&] {
            std::lock_guard lock(pulled.mutex);
            return !pulled.configs.empty();
        },
        30000);
    sink->shutdown(util::SteadyClock::now() + 1s);
    std::filesystem::remove(toml);
    std::lock_guard lock(pulled.mutex);
    ASSERT_EQ(pulled.configs.size(), 1u);
    EXPECT_EQ(pulled.configs[0].first.collector.interval_s, 20);
    EXPECT_EQ(pulled.configs[0].first.backend.url, ""); // [backend] is never taken from the backend
    EXPECT_EQ(pulled.configs[0].second, "1");
}

TEST(DeliverConfigPull, unauthorized_means_not_available_and_is_not_asked_in_a_loop) {
    test::TestBackend backend; // answers 401 to collector tokens, like the real backend
    Pulled pulled;
    auto sink = sink_with_pull(backend, pulled);
    // The first pull is due 1 s after start; then three more intervals, in which a loop would ask again.
    ASSERT_TRUE(test::wait_for([&] { return config_requests(backend) >= 1; }, 30000));
    std::this_thread::sleep_for(3s);
    sink->shutdown(util::SteadyClock::now() + 1s);
    EXPECT_EQ(config_requests(backend), 1u);
    std::lock_guard lock(pulled.mutex);
    EXPECT_TRUE(pulled.configs.empty());
}
