// The Prometheus endpoint over real HTTP on loopback: /metrics in the text format with the
// guide's names, /health, GET only, and `promtool check metrics` clean except for the naming
// lints the guide's own metric names force (listed in docs/exporter.md).
#include "deliver_backend.hpp"

#include "pga/deliver/curl_transport.hpp"
#include "pga/exporter/exporter.hpp"
#include "pga/exporter/self_metrics.hpp"
#include "pga/util/files.hpp"

#include <cstdio>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <thread>

using namespace pga;
using namespace std::chrono_literals;

namespace {

deliver::HttpResponse http(const std::string& method, int port, const std::string& path) {
    deliver::CurlTransport transport(deliver::CurlOptions{});
    deliver::HttpRequest req;
    req.method = method;
    req.url = "http://127.0.0.1:" + std::to_string(port) + path;
    return transport.perform(req);
}

collect::Batch sample_batch() {
    collect::CycleOutput cycle;
    cycle.duration_ms = 42;
    collect::RunReport run;
    run.type = "pg_stats";
    run.duration_ms = 12;
    cycle.reports = {run};
    pg::PoolStats pool;
    pool.acquisitions = 10;
    pool.reuses = 9;
    pool.max_size = 10;
    auto batch = test::make_batch(1);
    batch.metrics.push_back(exporter::collector_stats_object(cycle, pool, util::SystemClock::now()));
    batch.metrics.push_back(
        nlohmann::json{{"type", "pg_query_stats"},
                       {"database", "app"},
                       {"queries", {{{"hash", -42}, {"calls", 3}, {"total_time", 1.5}, {"text", "SELECT 1"}}}}});
    return batch;
}

// Returns the problem lines promtool reports for text (empty when clean).
std::set<std::string> promtool_problems(const std::string& text, const std::filesystem::path& dir) {
    const auto file = dir / "metrics.txt";
    util::atomic_write(file, text);
    const auto cmd = "promtool check metrics < " + file.string() + " 2>&1";
    std::set<std::string> problems;
    FILE* p = ::popen(cmd.c_str(), "r");
    char line[1024];
    while (p != nullptr && std::fgets(line, sizeof line, p) != nullptr) {
        std::string s(line);
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
            s.pop_back();
        }
        problems.insert(s);
    }
    if (p != nullptr) {
        ::pclose(p);
    }
    return problems;
}

} // namespace

TEST(ExporterHttp, serves_metrics_and_health_on_loopback_get_only) {
    // A 60 s interval: health stays fresh however slowly a loaded machine runs this test.
    exporter::ExporterSink sink({"127.0.0.1:0", std::chrono::seconds(60), {}});
    ASSERT_GT(sink.port(), 0);
    EXPECT_EQ(http("GET", sink.port(), "/health").status, 200); // within the start grace
    sink.accept(sample_batch());
    const auto metrics = http("GET", sink.port(), "/metrics");
    ASSERT_EQ(metrics.status, 200);
    for (const char* name :
         {"pganalytics_collection_cycle_ms 42", "pganalytics_connection_pool_acquisitions 10",
          "pganalytics_connection_pool_reuses 9", "process_cpu_seconds_total", "process_resident_memory_bytes",
          "pganalytics_pg_query_calls_total{database=\"app\",queryid=\"-42\"} 3"}) {
        EXPECT_NE(metrics.body.find(name), std::string::npos) << name << "\n" << metrics.body;
    }
    EXPECT_EQ(metrics.body.find("SELECT 1"), std::string::npos);
    EXPECT_EQ(http("POST", sink.port(), "/metrics").status, 405);
    EXPECT_EQ(http("GET", sink.port(), "/nothing").status, 404);
    const auto health = http("GET", sink.port(), "/health");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(nlohmann::json::parse(health.body)["status"], "ok");
}

TEST(ExporterHttp, health_turns_503_when_batches_stop) {
    exporter::ExporterSink sink({"127.0.0.1:0", std::chrono::seconds(1), {}});
    sink.accept(sample_batch());
    std::this_thread::sleep_for(3500ms);
    const auto health = http("GET", sink.port(), "/health");
    EXPECT_EQ(health.status, 503);
    EXPECT_EQ(nlohmann::json::parse(health.body)["status"], "stale");
}

TEST(ExporterHttp, a_busy_port_is_reported) {
    exporter::ExporterSink first({"127.0.0.1:0", std::chrono::seconds(60), {}});
    EXPECT_THROW(exporter::ExporterSink({"127.0.0.1:" + std::to_string(first.port()), std::chrono::seconds(60), {}}),
                 std::runtime_error);
}

TEST(ExporterHttp, promtool_finds_only_the_naming_lints_the_guide_forces) {
    if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
    }
    const nlohmann::json delivery = {{"requests", {{"success", 1}}},
                                     {"auth", {{"state", "ok"}}},
                                     {"spool", {{"batches", 0}, {"bytes", 0}, {"dropped", {{"overflow", 0}}}}}};
    exporter::ExporterSink sink({"127.0.0.1:0", std::chrono::seconds(60), [delivery] { return delivery; }});
    auto batch = sample_batch();
    batch.metrics.push_back(nlohmann::json{{"type", "sysstat"}, {"memory", {{"total_bytes", 1}}}});
    sink.accept(batch);
    const auto text = http("GET", sink.port(), "/metrics").body;
    const auto dir = std::filesystem::temp_directory_path();
    const std::set<std::string> forced = {
        "pganalytics_collection_cycle_ms counter metrics should have \"_total\" suffix",
        "pganalytics_collection_cycle_ms metric names should not contain abbreviated units",
        "pganalytics_connection_pool_acquisitions counter metrics should have \"_total\" suffix",
        "pganalytics_connection_pool_reuses counter metrics should have \"_total\" suffix",
    };
    for (const auto& p : promtool_problems(text, dir)) {
        EXPECT_TRUE(forced.count(p) == 1) << "unexpected promtool problem: " << p;
    }
}
