// The peer comparison of pga-bench (--compare-exporter BIN): Debian's prometheus-postgres-exporter
// run against the same server, scraped as Prometheus would, its scrape time, CPU and memory
// measured; pga-bench then runs cycles restricted to the metric families both collect.
#pragma once

#include "pga/cli/bench/summary.hpp"
#include "pga/pg/connection.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace pga::cli::bench {

// Our metric types that cover the exporter's cluster-wide default families: pg_stat_activity,
// pg_locks, pg_stat_replication and slots, pg_stat_bgwriter, pg_settings. Its pg_stat_database
// rows have no counterpart of the same scope (pg_cache and pg_stats read every database's tables),
// so they are left out of the comparison.
const std::vector<std::string>& shared_family_types();

struct ExporterResult {
    std::string binary;
    Summary scrape_ms;
    double cpu_ms_per_scrape = 0;
    std::uint64_t peak_rss_bytes = 0;
    std::size_t bytes = 0;  // size of the last scrape
    std::size_t series = 0; // sample lines in the last scrape
    int failures = 0;
};

// Both sides of the comparison: the exporter's scrapes and our cycles of shared_family_types().
struct PeerComparison {
    ExporterResult exporter;
    Summary ours_wall_ms;
    double ours_cpu_ms_p50 = 0;
    std::uint64_t ours_peak_rss_bytes = 0;
};

// Starts binary against params (DATA_SOURCE_NAME, loopback port), waits for it, scrapes
// /metrics `scrapes` times after one warm-up scrape, stops it. Throws std::runtime_error when it
// does not start or never answers.
ExporterResult measure_exporter(const std::string& binary, const pg::ConnParams& params, int scrapes,
                                const std::filesystem::path& log);

} // namespace pga::cli::bench
