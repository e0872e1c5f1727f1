// Self metrics: see self_metrics.hpp.
#include "pga/exporter/self_metrics.hpp"

#include "pga/exporter/process_stats.hpp"

namespace pga::exporter {

namespace {

double number(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

void spool_families(const nlohmann::json& spool, Families& out) {
    out.gauge("pganalytics_spool_batches", "Batches waiting in the disk spool", number(spool, "batches"));
    out.gauge("pganalytics_spool_bytes", "Bytes of batches waiting in the disk spool", number(spool, "bytes"));
    out.counter("pganalytics_spool_created_batches_total", "Batches written to the spool (kept across restarts)",
                number(spool, "created"));
    out.counter("pganalytics_spool_accepted_batches_total", "Spooled batches the backend accepted (2xx)",
                number(spool, "accepted"));
    if (const auto it = spool.find("dropped"); it != spool.end() && it->is_object()) {
        for (const auto& [reason, n] : it->items()) {
            out.counter("pganalytics_spool_dropped_batches_total",
                        "Batches dropped or set aside without delivery, by reason", n.is_number() ? n.get<double>() : 0,
                        {{"reason", reason}});
        }
    }
    out.counter("pganalytics_spool_write_failures_total", "Batches that could not be written to the spool",
                number(spool, "write_failed"));
}

} // namespace

nlohmann::json collector_stats_object(const collect::CycleOutput& cycle, const pg::PoolStats& pool,
                                      util::SystemClock::time_point timestamp) {
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& r : cycle.reports) {
        runs.push_back({{"type", r.type},
                        {"status", r.status},
                        {"duration_ms", r.duration_ms},
                        {"rows", r.rows},
                        {"errors", r.errors.size()}});
    }
    return {{"type", k_collector_stats_type},
            {"timestamp", util::rfc3339_utc(timestamp)},
            {"status", "ok"},
            {"cycle_ms", cycle.duration_ms},
            {"pool",
             {{"acquisitions", pool.acquisitions},
              {"reuses", pool.reuses},
              {"created", pool.created},
              {"failed", pool.failed},
              {"closed", pool.closed},
              {"active", pool.active},
              {"idle", pool.idle},
              {"max_size", pool.max_size}}},
            {"collectors", std::move(runs)}};
}

void delivery_families(const nlohmann::json& status, Families& out) {
    if (!status.is_object()) {
        return;
    }
    if (const auto it = status.find("requests"); it != status.end() && it->is_object()) {
        for (const auto& [result, n] : it->items()) {
            out.counter("pganalytics_backend_requests_total", "Push requests to the backend, by result",
                        n.is_number() ? n.get<double>() : 0, {{"result", result}});
        }
    }
    out.gauge("pganalytics_backend_consecutive_failures", "Failed push attempts since the last success",
              number(status, "consecutive_failures"));
    out.gauge("pganalytics_backend_last_success_timestamp_seconds", "When the backend last accepted a batch (0: never)",
              number(status, "last_success_unix"));
    if (const auto it = status.find("auth"); it != status.end() && it->is_object()) {
        out.gauge("pganalytics_backend_auth_ok", "1 while the backend accepts the collector's credentials",
                  it->value("state", "") == "ok" ? 1.0 : 0.0);
    }
    if (const auto it = status.find("spool"); it != status.end() && it->is_object()) {
        spool_families(*it, out);
    }
}

void process_families(Families& out) {
    const auto p = read_process_stats();
    if (!p) {
        return;
    }
    out.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", p->cpu_seconds);
    out.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", p->resident_bytes);
    out.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", p->virtual_bytes);
    out.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
              p->start_time_seconds);
    out.gauge("process_open_fds", "Number of open file descriptors.", p->open_fds);
    out.gauge("process_max_fds", "Maximum number of open file descriptors.", p->max_fds);
}

} // namespace pga::exporter
