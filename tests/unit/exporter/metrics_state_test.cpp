// Unit tests of pga/exporter: the series made from batches (guide names, query stats by
// queryid without text, bounded cardinality), delivery and process series, label escaping.
#include "pga/exporter/metrics_state.hpp"
#include "pga/exporter/process_stats.hpp"
#include "pga/exporter/self_metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

using namespace pga::exporter;
using json = nlohmann::json;

namespace {

pga::collect::Batch batch_with(std::vector<json> metrics) {
    pga::collect::Batch b;
    b.batch_id = "b";
    b.metrics = pga::collect::to_metrics(metrics);
    return b;
}

json stats_object(double cycle_ms, int acquisitions, int reuses) {
    pga::collect::CycleOutput cycle;
    cycle.duration_ms = static_cast<std::int64_t>(cycle_ms);
    pga::collect::RunReport ok;
    ok.type = "pg_stats";
    ok.duration_ms = 250;
    pga::collect::RunReport bad;
    bad.type = "pg_locks";
    bad.status = "error";
    cycle.reports = {ok, bad};
    pga::pg::PoolStats pool;
    pool.acquisitions = static_cast<std::uint64_t>(acquisitions);
    pool.reuses = static_cast<std::uint64_t>(reuses);
    pool.max_size = 10;
    return collector_stats_object(cycle, pool, pga::util::SystemClock::now());
}

std::string render(const MetricsState& state, const json& delivery = nullptr) {
    Families f;
    state.families(f);
    delivery_families(delivery, f);
    return prometheus::TextSerializer().Serialize(f.take());
}

} // namespace

TEST(Exporter, guide_metric_names_come_from_the_collector_stats_object) {
    MetricsState state;
    state.observe(batch_with({stats_object(120, 10, 8)}));
    state.observe(batch_with({stats_object(80, 20, 17)}));
    const auto text = render(state);
    EXPECT_NE(text.find("pganalytics_collection_cycle_ms 200"), std::string::npos) << text;
    EXPECT_NE(text.find("pganalytics_connection_pool_acquisitions 20"), std::string::npos);
    EXPECT_NE(text.find("pganalytics_connection_pool_reuses 17"), std::string::npos);
    EXPECT_NE(text.find("pganalytics_collector_duration_seconds{collector=\"pg_stats\"} 0.25"), std::string::npos);
    EXPECT_NE(text.find("pganalytics_collector_success{collector=\"pg_locks\"} 0"), std::string::npos);
    EXPECT_NE(text.find("pganalytics_collector_runs_total{collector=\"pg_locks\",status=\"error\"} 2"),
              std::string::npos);
}

TEST(Exporter, query_stats_are_counters_by_queryid_without_text_and_capped) {
    json queries = json::array();
    for (int i = 0; i < 80; ++i) {
        queries.push_back({{"hash", 1000 + i}, {"calls", i}, {"total_time", i * 10.0}, {"text", "SELECT secret"}});
    }
    MetricsState state;
    state.observe(batch_with({{{"type", "pg_query_stats"}, {"database", "app"}, {"queries", queries}}}));
    const auto text = render(state);
    EXPECT_EQ(text.find("secret"), std::string::npos);
    EXPECT_NE(text.find("pganalytics_pg_query_calls_total{database=\"app\",queryid=\"1079\"} 79"), std::string::npos);
    EXPECT_NE(text.find("pganalytics_pg_query_exec_seconds_total{database=\"app\",queryid=\"1079\"} 0.79"),
              std::string::npos);
    EXPECT_EQ(text.find("queryid=\"1000\""), std::string::npos); // outside the top 50
    std::size_t series = 0;
    for (std::size_t p = 0; (p = text.find("pganalytics_pg_query_calls_total{", p)) != std::string::npos; ++p) {
        ++series;
    }
    EXPECT_EQ(series, 50u);
}

TEST(Exporter, other_types_export_their_numeric_fields_as_gauges) {
    MetricsState state;
    state.observe(batch_with({{{"type", "sysstat"},
                               {"memory", {{"total_bytes", 1024}}},
                               {"load", {{"load1", 0.5}}},
                               {"disks", json::array({{{"reads", 1}}})}},
                              {{"type", "pg_stats"}, {"database", "a\"b\nc"}, {"xact_commit", 12}},
                              {{"type", "pg_locks"}, {"status", "error"}, {"error", "boom"}}}));
    const auto text = render(state);
    EXPECT_NE(text.find("pganalytics_sysstat_memory_total_bytes 1024"), std::string::npos) << text;
    EXPECT_NE(text.find("pganalytics_sysstat_load_load1 0.5"), std::string::npos);
    EXPECT_EQ(text.find("disks"), std::string::npos);
    EXPECT_NE(text.find("pganalytics_pg_stats_xact_commit{database=\"a\\\"b\\\\nc\"} 12"), std::string::npos);
    EXPECT_EQ(text.find("pg_locks"), std::string::npos);
}

TEST(Exporter, an_object_whose_text_is_not_json_is_skipped_and_the_rest_of_the_batch_observed) {
    MetricsState state;
    auto b = batch_with({{{"type", "pg_stats"}, {"database", "app"}, {"xact_commit", 7}}});
    b.metrics.emplace(b.metrics.begin(), "pg_stats", "ok", R"({"type":"pg_stats","database":"bad",)");
    b.metrics.emplace_back(std::string(k_collector_stats_type), "ok", "{broken");
    EXPECT_NO_THROW(state.observe(b));
    EXPECT_EQ(state.batches(), 1u);
    const auto text = render(state);
    EXPECT_NE(text.find("pganalytics_pg_stats_xact_commit{database=\"app\"} 7"), std::string::npos) << text;
    EXPECT_EQ(text.find("database=\"bad\""), std::string::npos);
}

TEST(Exporter, delivery_status_becomes_spool_and_request_series) {
    MetricsState state;
    const json delivery = {{"requests", {{"success", 5}, {"retry", 2}}},
                           {"consecutive_failures", 1},
                           {"last_success_unix", 1800000000},
                           {"auth", {{"state", "ok"}}},
                           {"spool",
                            {{"batches", 3},
                             {"bytes", 900},
                             {"created", 10},
                             {"accepted", 5},
                             {"dropped", {{"overflow", 2}, {"age", 0}}}}}};
    const auto text = render(state, delivery);
    EXPECT_NE(text.find("pganalytics_backend_requests_total{result=\"success\"} 5"), std::string::npos) << text;
    EXPECT_NE(text.find("pganalytics_spool_batches 3"), std::string::npos);
    EXPECT_NE(text.find("pganalytics_spool_bytes 900"), std::string::npos);
    EXPECT_NE(text.find("pganalytics_spool_dropped_batches_total{reason=\"overflow\"} 2"), std::string::npos);
    EXPECT_NE(text.find("pganalytics_backend_auth_ok 1"), std::string::npos);
}

TEST(Exporter, process_stat_line_is_parsed) {
    const std::string stat = "1234 (pga (x) y) S 1 2 3 4 5 6 7 8 9 10 300 200 0 0 20 0 4 0 5000 104857600 2560 rest";
    const auto p = parse_proc_stat(stat, 100, 4096, 1'700'000'000);
    ASSERT_TRUE(p);
    EXPECT_DOUBLE_EQ(p->cpu_seconds, 5.0);
    EXPECT_DOUBLE_EQ(p->resident_bytes, 2560.0 * 4096);
    EXPECT_DOUBLE_EQ(p->virtual_bytes, 104857600.0);
    EXPECT_DOUBLE_EQ(p->start_time_seconds, 1'700'000'050.0);
    EXPECT_FALSE(parse_proc_stat("garbage", 100, 4096, 0));
}

TEST(Exporter, process_series_exist) {
    Families f;
    process_families(f);
    const auto text = prometheus::TextSerializer().Serialize(f.take());
    EXPECT_NE(text.find("process_cpu_seconds_total "), std::string::npos);
    EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
}

TEST(Exporter, families_cap_series) {
    Families f(3);
    for (int i = 0; i < 10; ++i) {
        f.gauge("g", "h", i, {{"i", std::to_string(i)}});
    }
    EXPECT_EQ(f.take().at(0).metric.size(), 3u);
}

TEST(Exporter, generic_names_use_base_units_and_never_end_in_total) {
    Families f;
    pg_object_families({{"type", "pg_replication"}, {"lag_ms", 1500}, {"total", 3}, {"wal_kb", 2}}, f);
    const auto text = prometheus::TextSerializer().Serialize(f.take());
    EXPECT_NE(text.find("pganalytics_pg_replication_lag_seconds 1.5"), std::string::npos) << text;
    EXPECT_NE(text.find("pganalytics_pg_replication_overall 3"), std::string::npos);
    EXPECT_NE(text.find("pganalytics_pg_replication_wal_bytes 2048"), std::string::npos);
}
