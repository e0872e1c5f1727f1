// The collector's own numbers as Prometheus series. The loop puts one "collector_stats" metric
// object into every batch (cycle time, connection pool counters, per-collector runs), so the
// exporter, which only sees batches, can serve pganalytics_collection_cycle_ms and
// pganalytics_connection_pool_* under the names the deployment guide's PromQL uses; delivery
// series come from the delivery sink's status() and process_* from /proc.
#pragma once

#include "pga/collect/manager.hpp"
#include "pga/exporter/families.hpp"
#include "pga/pg/pool.hpp"

#include <nlohmann/json.hpp>

namespace pga::exporter {

// The payload type of the object built below.
inline constexpr const char* k_collector_stats_type = "collector_stats";

// Returns the "collector_stats" metric object of one cycle: {type, timestamp, status, cycle_ms,
// pool{acquisitions, reuses, created, failed, closed, active, idle, max_size} (cumulative since
// start), collectors[{type, status, duration_ms, rows, errors}]}.
nlohmann::json collector_stats_object(const collect::CycleOutput& cycle, const pg::PoolStats& pool,
                                      util::SystemClock::time_point timestamp);

// Adds the delivery series (requests by result, spool backlog, drops by reason, auth state,
// last success) from a DeliverySink::status() object; nothing when status is not an object.
void delivery_families(const nlohmann::json& status, Families& out);

// Adds process_cpu_seconds_total, process_resident_memory_bytes and the other process_* series.
void process_families(Families& out);

} // namespace pga::exporter
