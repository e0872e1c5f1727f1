// The status file (state_dir/status.json), rewritten atomically after every cycle by the loop and
// read by pga-healthcheck: when the last cycle ran and how long it took, what each metric type
// did, the connection pool counters, this process's memory and CPU, skipped ticks, and the
// delivery sink's own section. Keys are snake_case; times are RFC3339 UTC.
#pragma once

#include "pga/collect/manager.hpp"
#include "pga/pg/pool.hpp"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace pga::state {

// The last known state of one metric type.
struct TypeStatus {
    std::string status; // ok | error | unavailable
    std::vector<collect::RunError> errors;
    std::string reason;
    std::uint64_t rows = 0;
    std::int64_t duration_ms = 0;
    std::string last_run_at;
};

struct Status {
    std::string started_at;       // when the process started
    std::string cycle_started_at; // the last cycle
    std::string cycle_finished_at;
    std::int64_t cycle_duration_ms = 0;
    std::uint64_t cycles = 0;
    std::uint64_t skipped_ticks = 0; // ticks skipped because a cycle overran its interval
    std::uint64_t sequence = 0;      // of the last batch
    std::string batch_id;
    std::size_t metrics_count = 0;
    std::map<std::string, TypeStatus> collectors;
    pg::PoolStats pool;
    double cpu_percent = 0;  // of one core, since the previous status
    nlohmann::json delivery; // BatchSink::status()

    // Records the reports of a cycle (types not due keep their previous entry).
    void record(const std::vector<collect::RunReport>& reports, const std::string& at);
};

// Returns the status file's path for state_dir.
std::filesystem::path status_path(const std::filesystem::path& state_dir);

// Returns the status as the JSON object written to the file (adds pid, version, RSS and CPU time).
nlohmann::json to_json(const Status& status);

// Writes the status file atomically; throws std::runtime_error naming the path on failure.
void write_status(const std::filesystem::path& state_dir, const Status& status);

// Returns the parsed status file of state_dir, or nullopt with the reason in *error.
std::optional<nlohmann::json> read_status(const std::filesystem::path& state_dir, std::string* error);

} // namespace pga::state
