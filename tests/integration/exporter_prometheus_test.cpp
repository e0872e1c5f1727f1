// A real Prometheus server (Debian package `prometheus`, loopback, 1 s scrapes, temporary
// storage) scrapes the exporter, and the deployment guide's PromQL returns data:
// rate(pganalytics_connection_pool_reuses[5m]) / rate(pganalytics_connection_pool_acquisitions[5m])
// and process_resident_memory_bytes{job="pganalytics-collector"}.
#include "deliver_backend.hpp"

#include "pga/deliver/client.hpp"
#include "pga/deliver/curl_transport.hpp"
#include "pga/exporter/exporter.hpp"
#include "pga/exporter/self_metrics.hpp"
#include "pga/util/files.hpp"

#include <atomic>
#include <cmath>
#include <csignal>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace pga;
using namespace std::chrono_literals;

namespace {

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// A Prometheus server process scraping one target as job "pganalytics-collector".
class PrometheusServer {
public:
    PrometheusServer(const std::filesystem::path& dir, int target_port) : port_(free_port()) {
        const auto config = dir / "prometheus.yml";
        util::atomic_write(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                   "scrape_configs:\n  - job_name: pganalytics-collector\n    static_configs:\n"
                                   "      - targets: ['127.0.0.1:" +
                                       std::to_string(target_port) + "']\n");
        const std::vector<std::string> args = {
            "/usr/bin/prometheus", "--config.file=" + config.string(), "--storage.tsdb.path=" + (dir / "data").string(),
            "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=error"};
        pid_ = ::fork();
        if (pid_ == 0) {
            std::vector<char*> argv;
            for (const auto& a : args) {
                argv.push_back(const_cast<char*>(a.c_str()));
            }
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
    }
    ~PrometheusServer() {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }
    PrometheusServer(const PrometheusServer&) = delete;
    PrometheusServer& operator=(const PrometheusServer&) = delete;

    // Returns the instant-query result vector (empty when no data or not up yet).
    nlohmann::json query(const std::string& promql) const {
        deliver::CurlTransport transport(deliver::CurlOptions{});
        deliver::HttpRequest req;
        req.url = "http://127.0.0.1:" + std::to_string(port_) + "/api/v1/query?query=" + deliver::url_escape(promql);
        const auto resp = transport.perform(req);
        const auto doc = nlohmann::json::parse(resp.body, nullptr, false);
        if (!doc.is_object() || doc.value("status", "") != "success") {
            return nlohmann::json::array();
        }
        return doc["data"]["result"];
    }

private:
    int port_;
    pid_t pid_ = -1;
};

collect::Batch cycle_batch(std::uint64_t n) {
    collect::CycleOutput cycle;
    cycle.duration_ms = 100;
    pg::PoolStats pool;
    pool.acquisitions = 10 * n;
    pool.reuses = 9 * n;
    pool.max_size = 10;
    auto batch = test::make_batch(n, 1);
    batch.metrics.push_back(exporter::collector_stats_object(cycle, pool, util::SystemClock::now()));
    return batch;
}

} // namespace

TEST(ExporterPrometheus, the_guides_promql_returns_data_from_a_real_prometheus) {
    if (!std::filesystem::exists("/usr/bin/prometheus")) {
        GTEST_SKIP() << "prometheus not installed (Debian package prometheus)";
    }
    test::TestBackend scratch; // only for its temporary directory
    exporter::ExporterSink sink({"127.0.0.1:0", std::chrono::seconds(60), {}});
    std::atomic<bool> stop{false};
    std::thread feeder([&] {
        for (std::uint64_t n = 1; !stop; ++n) {
            sink.accept(cycle_batch(n));
            std::this_thread::sleep_for(200ms);
        }
    });
    PrometheusServer prometheus(scratch.dir(), sink.port());
    const std::string reuse_rate =
        "rate(pganalytics_connection_pool_reuses[5m]) / rate(pganalytics_connection_pool_acquisitions[5m])";
    nlohmann::json ratio = nlohmann::json::array();
    double value = std::nan("");
    // Until a finite value: two scrapes with no change in between (a stalled feeder) make 0/0.
    for (int i = 0; i < 60 && !std::isfinite(value); ++i) {
        std::this_thread::sleep_for(500ms);
        ratio = prometheus.query(reuse_rate);
        value = ratio.empty() ? std::nan("") : std::stod(ratio[0]["value"][1].get<std::string>());
    }
    stop = true;
    feeder.join();
    ASSERT_FALSE(ratio.empty()) << "no data for " << reuse_rate;
    EXPECT_NEAR(value, 0.9, 0.05);
    const auto rss = prometheus.query("process_resident_memory_bytes{job=\"pganalytics-collector\"}");
    ASSERT_FALSE(rss.empty());
    EXPECT_GT(std::stod(rss[0]["value"][1].get<std::string>()), 1e6);
    EXPECT_FALSE(prometheus.query("process_cpu_seconds_total{job=\"pganalytics-collector\"}").empty());
    EXPECT_FALSE(prometheus.query("rate(pganalytics_collection_cycle_ms[5m])").empty());
}
