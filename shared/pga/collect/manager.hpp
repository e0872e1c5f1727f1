// The CollectorManager runs one collection cycle: it picks the collectors that are enabled and
// due, skips those the server is too old for, runs the rest on the thread pool (per-database
// collectors once per database) each within its time budget, and turns their results into metric
// objects: data with "status":"ok", and an "error" or "unavailable" object where a run failed or
// its source does not exist, so one failure never empties the batch.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/collect/metric.hpp"
#include "pga/collect/registry.hpp"
#include "pga/collect/thread_pool.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>

namespace pga::collect {

// Everything one cycle needs. The shared pointers keep the configuration and the pool alive for
// a run that outlasts its cycle.
struct CycleInput {
    std::shared_ptr<const config::Config> config;
    std::shared_ptr<pg::Pool> pool;
    std::vector<std::string> databases;
    int server_version = 0;                  // 0 when the server could not be reached
    util::SystemClock::time_point timestamp; // sent in every metric object
    util::SteadyClock::time_point tick;      // the scheduled time of this cycle
};

// What one metric type did in one cycle (for the status file and the log).
struct RunReport {
    std::string type;
    std::string status = "ok"; // ok | error | unavailable
    std::vector<RunError> errors;
    std::string reason; // why it is unavailable
    std::uint64_t rows = 0;
    std::int64_t duration_ms = 0; // the longest run of this type (per database or cluster-wide)
    std::int64_t wall_us = 0;     // the same in microseconds
    std::int64_t cpu_us = 0;      // CPU time of this process spent in the type's runs, summed
    int runs = 0;                 // runs that finished (one per database for per-database types)
};

struct CycleOutput {
    std::vector<Metric> metrics;
    std::vector<RunReport> reports; // the types that were due this cycle
    std::int64_t duration_ms = 0;
    bool abandoned = false; // a stop request cut the cycle short
};

class CollectorManager {
public:
    // Creates one collector object per table row and a thread pool of `threads` workers; logs
    // "CollectorManager thread pool initialized with N threads".
    explicit CollectorManager(int threads, std::span<const CollectorInfo> table = collectors());
    ~CollectorManager();
    CollectorManager(const CollectorManager&) = delete;
    CollectorManager& operator=(const CollectorManager&) = delete;

    // Runs the due collectors and waits for them (each bounded by its budget plus a grace period).
    // When *stop becomes true, running queries are cancelled and the cycle is abandoned.
    CycleOutput run_cycle(const CycleInput& in, const std::atomic<bool>* stop = nullptr);
    // Replaces the thread pool when the size changed (between cycles).
    void set_threads(int threads);
    int threads() const;
    // Stops the workers; false when a run was still going at deadline.
    bool shutdown(util::SteadyClock::time_point deadline);
    // How long a run may take after its budget ran out before it is abandoned.
    static constexpr std::chrono::seconds k_grace{5};

    struct Entry;
    struct Slot;
    struct Queued;

private:
    bool due(Entry& e, const CycleInput& in) const;
    std::vector<std::shared_ptr<Slot>> schedule(const CycleInput& in, CycleOutput& out);
    void add_slots(Entry& e, const CycleInput& in, std::vector<std::shared_ptr<Slot>>& slots);
    void submit(const std::vector<std::shared_ptr<Slot>>& slots, std::size_t databases, int pool_max_size);
    void wait(const std::vector<std::shared_ptr<Slot>>& slots, const std::atomic<bool>* stop,
              util::SteadyClock::time_point hard_deadline);
    void assemble(const std::vector<std::shared_ptr<Slot>>& slots, const CycleInput& in, CycleOutput& out);

    std::vector<std::unique_ptr<Entry>> entries_;
    std::unique_ptr<ThreadPool> pool_;
    struct Sync;
    // Runs one queued run; cpu_start is the worker thread's CPU clock (µs) at its start, the
    // reading at its end is returned (a task's next run starts from it: one clock read per run).
    static std::int64_t run_queued(const Queued& q, const std::shared_ptr<Sync>& sync, std::int64_t cpu_start);
    static void settle(const Queued& q, const std::shared_ptr<Sync>& sync);
    std::shared_ptr<Sync> sync_;
};

} // namespace pga::collect
