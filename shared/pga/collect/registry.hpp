// The one collector table: every metric type with its factory, default interval, time budget,
// minimum PostgreSQL version and required privilege. Nothing registers itself.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/config/options.hpp"

#include <memory>
#include <span>
#include <string_view>

namespace pga::collect {

struct CollectorInfo {
    std::string_view name; // the payload `type`
    std::string_view description;
    int default_interval_s;
    int default_timeout_s;
    int min_server_version;     // server_version_num; 0 when it does not need PostgreSQL
    std::string_view privilege; // what the role needs ("pg_monitor", "none")
    bool default_enabled;
    std::unique_ptr<Collector> (*make)();
};

// Returns the collector table.
std::span<const CollectorInfo> collectors();

// Returns the table entry named name, or nullptr.
const CollectorInfo* find_collector(std::string_view name);

// Returns the per-type defaults the configuration layer needs (sections, intervals).
std::vector<config::MetricDefaults> metric_defaults();

} // namespace pga::collect
