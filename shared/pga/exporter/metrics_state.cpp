// Exporter state: see metrics_state.hpp.
#include "pga/exporter/metrics_state.hpp"

#include "pga/exporter/self_metrics.hpp"

namespace pga::exporter {

namespace {

double number(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string string_of(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Returns the object with only what the exporter needs (no query text).
nlohmann::json slim(nlohmann::json object) {
    if (string_of(object, "type") == "pg_query_stats" && object.contains("queries") && object["queries"].is_array()) {
        for (auto& q : object["queries"]) {
            if (q.is_object()) {
                q.erase("text");
            }
        }
    }
    return object;
}

} // namespace

void MetricsState::observe(const collect::Batch& batch) {
    // Parsed before taking the lock: a scrape must not wait for a cycle's objects to be read.
    std::vector<nlohmann::json> stats;
    std::vector<nlohmann::json> objects;
    for (const auto& m : batch.metrics) {
        if (m.type() == k_collector_stats_type) {
            stats.push_back(m.parse());
        } else if (m.status() != "error" && m.status() != "unavailable") {
            auto object = m.parse();
            if (object.is_object()) { // not a discarded (unparsable) text
                objects.push_back(slim(std::move(object)));
            }
        }
    }
    const auto now = util::SteadyClock::now();
    std::lock_guard lock(mutex_);
    ++batches_;
    last_batch_ = now;
    for (const auto& s : stats) {
        if (s.is_object()) {
            observe_stats(s);
        }
    }
    for (auto& object : objects) {
        observe_object(object, now); // leaves the replaced tree in `objects`, freed after unlocking
    }
    for (auto it = latest_.begin(); it != latest_.end();) {
        if (now - it->second.seen > stale_after_) {
            objects.push_back(std::move(it->second.object));
            it = latest_.erase(it);
        } else {
            ++it;
        }
    }
}

void MetricsState::observe_stats(const nlohmann::json& stats) {
    ++cycles_;
    last_cycle_ms_ = number(stats, "cycle_ms");
    cycle_ms_total_ += last_cycle_ms_;
    if (stats.contains("pool") && stats["pool"].is_object()) {
        pool_ = stats["pool"];
    }
    if (!stats.contains("collectors") || !stats["collectors"].is_array()) {
        return;
    }
    for (const auto& run : stats["collectors"]) {
        auto& r = collectors_[string_of(run, "type")];
        r.duration_s = number(run, "duration_ms") / 1000.0;
        const auto status = string_of(run, "status");
        r.ok = status == "ok";
        ++r.runs[status];
    }
}

void MetricsState::observe_object(nlohmann::json& object, util::SteadyClock::time_point now) {
    auto& latest = latest_[std::make_pair(string_of(object, "type"), string_of(object, "database"))];
    std::swap(latest.object, object);
    latest.seen = now;
}

void MetricsState::self_families(Families& out) const {
    out.counter("pganalytics_collection_cycle_ms", "Milliseconds spent in collection cycles (cumulative)",
                cycle_ms_total_);
    out.counter("pganalytics_collection_cycles_total", "Collection cycles completed", static_cast<double>(cycles_));
    out.gauge("pganalytics_collection_last_cycle_seconds", "Duration of the last collection cycle",
              last_cycle_ms_ / 1000.0);
    out.counter("pganalytics_exporter_batches_total", "Batches the exporter has seen", static_cast<double>(batches_));
    if (pool_.is_object()) {
        out.counter("pganalytics_connection_pool_acquisitions", "Connections borrowed from the pool (cumulative)",
                    number(pool_, "acquisitions"));
        out.counter("pganalytics_connection_pool_reuses", "Borrows served by an already open connection (cumulative)",
                    number(pool_, "reuses"));
        out.gauge("pganalytics_connection_pool_active_connections", "Connections borrowed right now",
                  number(pool_, "active"));
        out.gauge("pganalytics_connection_pool_idle_connections", "Open connections not borrowed",
                  number(pool_, "idle"));
        out.gauge("pganalytics_connection_pool_max_connections", "The pool's cap (pool_max_size)",
                  number(pool_, "max_size"));
    }
    for (const auto& [type, r] : collectors_) {
        out.gauge("pganalytics_collector_duration_seconds", "Duration of the collector's last run", r.duration_s,
                  {{"collector", type}});
        out.gauge("pganalytics_collector_success", "1 when the collector's last run succeeded", r.ok ? 1.0 : 0.0,
                  {{"collector", type}});
        for (const auto& [status, n] : r.runs) {
            out.counter("pganalytics_collector_runs_total", "Collector runs by outcome", static_cast<double>(n),
                        {{"collector", type}, {"status", status}});
        }
    }
}

void MetricsState::families(Families& out) const {
    std::lock_guard lock(mutex_);
    self_families(out);
    for (const auto& [key, latest] : latest_) {
        pg_object_families(latest.object, out);
    }
}

std::uint64_t MetricsState::batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
}

std::optional<util::SteadyClock::time_point> MetricsState::last_batch() const {
    std::lock_guard lock(mutex_);
    return last_batch_;
}

} // namespace pga::exporter
