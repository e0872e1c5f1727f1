// A batch: the metric objects of one collection cycle, with a unique id and a monotonic
// sequence number so the backend can drop duplicates, and the sink interface through which the
// collection loop hands batches on (stdout for --dry-run, the spool and backend otherwise).
#pragma once

#include "pga/collect/metric.hpp"
#include "pga/util/time.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pga::collect {

struct Batch {
    std::string batch_id;       // unique (UUIDv4 text)
    std::uint64_t sequence = 0; // monotonic per state_dir, survives restarts
    util::SystemClock::time_point created;
    std::vector<Metric> metrics; // objects with at least "type" and "timestamp", as JSON text
};

class BatchSink {
public:
    virtual ~BatchSink() = default;
    // Takes a finished batch. Must not block on the network; durable sinks persist it before
    // returning. Throws only on a local failure the caller should log (disk full).
    virtual void accept(Batch batch) = 0;
    // Called by the loop every push_interval: the moment to send what is pending.
    virtual void push_due() {}
    // Stops within the deadline, persisting or finishing in-flight work.
    virtual void shutdown(util::SteadyClock::time_point deadline) { (void)deadline; }
    // Returns the sink's state for the status file ("delivery" section); null when none.
    virtual nlohmann::json status() const { return nullptr; }
};

} // namespace pga::collect
