// Internal state of the CollectorManager shared by manager.cpp (scheduling and waiting) and
// manager_output.cpp (turning finished runs into metric objects). Not part of the public API.
#pragma once

#include "pga/collect/manager.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>

namespace pga::collect {

// One row of the collector table with its long-lived collector object.
struct CollectorManager::Entry {
    const CollectorInfo* info = nullptr;
    std::shared_ptr<Collector> collector;
    std::optional<util::SteadyClock::time_point> last_tick;
    std::shared_ptr<std::atomic<int>> in_flight = std::make_shared<std::atomic<int>>(0);
    std::string last_unavailable; // the reason last warned about, so it is warned once
};

// The lock and wake-up shared by the runner and its workers.
struct CollectorManager::Sync {
    std::mutex mutex;
    std::condition_variable changed;
};

// One run: a collector for one database ("" for a cluster-wide run). Fields below `started`
// are guarded by Sync::mutex.
struct CollectorManager::Slot {
    Entry* entry = nullptr;
    std::string database;
    std::vector<std::string> databases;
    std::shared_ptr<const config::Config> config;
    std::shared_ptr<pg::Pool> pool;
    int server_version = 0;
    util::SystemClock::time_point timestamp;
    std::chrono::seconds timeout{30};

    bool started = false;
    bool done = false;
    bool abandoned = false;
    std::optional<util::SteadyClock::time_point> expired_at; // when the runner expired the budget
    std::unique_ptr<RunBudget> budget;
    Output out;                // its metrics moved into `texts` when the run ends
    std::vector<Metric> texts; // the run's objects with type, timestamp and status, as text
    bool overran = false;      // the run ended with its budget spent
    std::string failure;       // the exception that ended the whole run
    std::int64_t duration_ms = 0;
    std::int64_t wall_us = 0;
    std::int64_t cpu_us = 0; // the worker thread's CPU time during the run
};

// Adds type, timestamp and status "ok" to each object of a finished run (out.metrics serialized,
// out.texts prefixed with the three fields) and releases them: called by the worker, so a run's
// document tree lives only as long as the run. An object that is not a JSON object (a text not
// starting with '{' and ending with '}') is left out and counted in one error of database's.
std::vector<Metric> ok_objects(std::string_view type, util::SystemClock::time_point timestamp,
                               const std::string& database, Output& out);

// Returns the metric objects and report of one settled slot (see manager_output.cpp).
void slot_output(CollectorManager::Slot& slot, const CycleInput& in, std::vector<Metric>& metrics, RunReport& report);

// Returns {"type", "timestamp", "database"?, "status":"error", "error"}.
nlohmann::json error_object(std::string_view type, const std::string& timestamp, const std::string& database,
                            const std::string& message);

// Returns {"type", "timestamp", "status":"unavailable", "reason"}.
nlohmann::json unavailable_object(std::string_view type, const std::string& timestamp, const std::string& reason);

} // namespace pga::collect
