// What the exporter remembers from the batches it saw: the collector's own counters (from the
// "collector_stats" object) and the latest PostgreSQL numbers per metric type and database,
// turned into Prometheus series on each scrape. Query statistics become counters labelled by
// database and queryid (never query text), top 50 by execution time per database; other types
// become gauges named pganalytics_<type>_<field> from their numeric fields (arrays are left out,
// so cardinality stays bounded). Entries not refreshed for `stale_after` disappear. Thread-safe.
#pragma once

#include "pga/collect/batch.hpp"
#include "pga/exporter/families.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace pga::exporter {

class MetricsState {
public:
    explicit MetricsState(std::chrono::seconds stale_after = std::chrono::minutes(15)) : stale_after_(stale_after) {}

    // Records what a batch holds.
    void observe(const collect::Batch& batch);
    // Adds the self series and the PostgreSQL series to out.
    void families(Families& out) const;
    // Returns how many batches were observed and when the last one was.
    std::uint64_t batches() const;
    std::optional<util::SteadyClock::time_point> last_batch() const;

private:
    struct Run {
        double duration_s = 0;
        bool ok = true;
        std::map<std::string, std::uint64_t> runs; // by status
    };
    struct Latest {
        nlohmann::json object;
        util::SteadyClock::time_point seen;
    };
    void observe_stats(const nlohmann::json& stats);
    // Makes object the latest of its (type, database); object is left holding the one it replaced.
    void observe_object(nlohmann::json& object, util::SteadyClock::time_point now);
    void self_families(Families& out) const;

    std::chrono::seconds stale_after_;
    mutable std::mutex mutex_;
    std::uint64_t batches_ = 0;
    std::optional<util::SteadyClock::time_point> last_batch_;
    std::uint64_t cycles_ = 0;
    double cycle_ms_total_ = 0;
    double last_cycle_ms_ = 0;
    nlohmann::json pool_;
    std::map<std::string, Run> collectors_;
    std::map<std::pair<std::string, std::string>, Latest> latest_; // (type, database)
};

// Adds the series of one PostgreSQL metric object (query stats or generic fields) to out.
void pg_object_families(const nlohmann::json& object, Families& out);

} // namespace pga::exporter
