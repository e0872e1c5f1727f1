// The measuring loop of pga-bench: N cycles of the real collection code (the CollectorManager on
// the real pool, as `pganalytics cron` runs them, with every enabled type due in every cycle),
// each cycle's batch built and serialized as the push body, optionally handed to the real
// delivery sink. Records per cycle and per metric type what the report needs.
#pragma once

#include "pga/collect/batch.hpp"
#include "pga/config/config.hpp"
#include "pga/pg/trace.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pga::cli::bench {

struct CycleSample {
    bool warmup = false;
    double wall_ms = 0; // probe, collection, batch and push body: what one cron cycle does
    double cpu_ms = 0;  // user + system CPU of the whole process during the cycle
    std::uint64_t rss_bytes = 0;
    std::uint64_t connections_opened = 0;
    int peak_connections = 0; // most connections in use at once
    std::uint64_t acquisitions = 0;
    std::uint64_t reuses = 0;
    std::uint64_t rows = 0;
    std::size_t metrics = 0;
    std::size_t payload_bytes = 0;
    std::size_t payload_gzip_bytes = 0;
    int errors = 0; // metric objects with status "error"
};

struct TypeSample {
    std::string status; // ok | error | unavailable
    double wall_ms = 0; // longest run of the type in the cycle
    double cpu_ms = 0;  // summed over its runs
    std::uint64_t rows = 0;
    std::size_t bytes = 0; // serialized size of its metric objects
    int runs = 0;
    int errors = 0;
    std::string first_error;
};

struct RunnerOptions {
    int cycles = 10;
    int warmup = 1;
    const std::atomic<bool>* stop = nullptr;
    pg::QueryObserver* record_last = nullptr; // installed for the last cycle only (the floor's SQL)
    std::function<void(int done, int total, double last_ms)> on_cycle; // progress
};

struct BenchResult {
    int server_version = 0;
    std::vector<std::string> databases;
    int threads = 0;
    int pool_max_size = 0;
    std::vector<CycleSample> cycles;                      // warm-up cycles first, marked
    std::map<std::string, std::vector<TypeSample>> types; // measured cycles only
    std::uint64_t peak_rss_bytes = 0;
    std::optional<double> server_exec_ms; // the role's pg_stat_statements time over measured cycles
    nlohmann::json delivery;              // the sink's status after the run (push mode)
    bool interrupted = false;
};

// Runs the cycles; sink may be null (no push). Throws std::runtime_error when PostgreSQL cannot
// be reached before the first cycle.
BenchResult run_cycles(std::shared_ptr<const config::Config> config, const RunnerOptions& options,
                       collect::BatchSink* sink);

} // namespace pga::cli::bench
