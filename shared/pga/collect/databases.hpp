// Which databases to monitor: the configured list, or (when it is empty) every database that
// allows connections and is not a template, re-discovered every database_discovery_interval.
#pragma once

#include "pga/config/config.hpp"
#include "pga/pg/session.hpp"
#include "pga/util/time.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pga::collect {

// Returns the names of the databases that allow connections, templates excluded, sorted.
std::vector<std::string> list_databases(pg::Session& session);

class DatabaseList {
public:
    // Returns true when the list must be (re)discovered now.
    bool discovery_due(const config::Config& config, util::SteadyClock::time_point now) const;
    // Records a discovery result.
    void discovered(std::vector<std::string> names, util::SteadyClock::time_point now);
    // Forgets the last discovery (after a configuration change).
    void reset() { last_discovery_.reset(); }
    // Returns the databases to monitor: the configured ones, else the discovered ones, else the
    // cluster database alone (before any discovery succeeded).
    std::vector<std::string> current(const config::Config& config) const;

private:
    std::vector<std::string> discovered_;
    std::optional<util::SteadyClock::time_point> last_discovery_;
};

} // namespace pga::collect
