// The collector interface: one implementation per metric type (pga/collectors/), created from
// the one collector table (registry.hpp) and run by the scheduler on the thread pool.
#pragma once

#include "pga/collect/budget.hpp"
#include "pga/config/config.hpp"
#include "pga/pg/pool.hpp"
#include "pga/util/time.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pga::collect {

// What a collector run may use. Shared read-only between concurrently running collectors except
// the pool, which is thread-safe.
struct Context {
    const config::Config& config;
    pg::Pool& pool;
    const std::vector<std::string>& databases; // databases to monitor this cycle
    int server_version = 0;                    // server_version_num, 0 when unknown
    util::SystemClock::time_point timestamp;   // the cycle's timestamp (sent in every object)
    util::SteadyClock::time_point deadline;    // the run's time budget ends here
    RunBudget* budget = nullptr;               // cancels borrowed sessions when the budget runs out

    // Returns true once the run's time budget is spent.
    bool expired() const { return budget != nullptr ? budget->expired() : util::SteadyClock::now() >= deadline; }
    // Borrows a pooled connection to db, enrolled in the budget; throws pg::Error.
    Borrowed borrow(const std::string& db) const { return Borrowed(pool.acquire(db, deadline), budget); }
};

// One failure of one collector for one database ("" for cluster-wide).
struct RunError {
    std::string database;
    std::string message;
};

// The result of one run: metric objects for the batch (each with type, timestamp and, per
// database, database), errors that did not stop the rest, and the number of rows read.
struct Output {
    std::vector<nlohmann::json> metrics;
    // Objects the collector wrote as JSON text, without type, timestamp and status (the manager
    // adds them): a collector whose output runs to megabytes (pg_query_stats) writes it this way
    // instead of holding a document tree of several times the size.
    std::vector<std::string> texts;
    std::vector<RunError> errors;
    std::string unavailable; // non-empty: the source does not exist here (version, extension)
    std::uint64_t rows = 0;
};

class Collector {
public:
    virtual ~Collector() = default;
    // Collects one run into out. Per-database failures go to out.errors; throws only when the
    // whole run failed. Collector objects live across cycles and may keep state (deltas).
    virtual void collect(const Context& ctx, Output& out) = 0;
    // Returns true when the runner should call collect() once per database (ctx.databases holds
    // one name), possibly concurrently for different databases; false for one cluster-wide run.
    virtual bool per_database() const { return false; }
};

} // namespace pga::collect
