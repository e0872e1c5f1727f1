// Database discovery: see databases.hpp.
#include "pga/collect/databases.hpp"

namespace pga::collect {

std::vector<std::string> list_databases(pg::Session& session) {
    const auto r = session.query("SELECT datname FROM pg_catalog.pg_database"
                                 " WHERE datallowconn AND NOT datistemplate ORDER BY datname");
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) {
        out.emplace_back(r.text(i, 0));
    }
    return out;
}

bool DatabaseList::discovery_due(const config::Config& config, util::SteadyClock::time_point now) const {
    if (!config.postgresql.databases.empty()) {
        return false;
    }
    return !last_discovery_ ||
           now - *last_discovery_ >= std::chrono::seconds(config.postgresql.database_discovery_interval_s);
}

void DatabaseList::discovered(std::vector<std::string> names, util::SteadyClock::time_point now) {
    discovered_ = std::move(names);
    last_discovery_ = now;
}

std::vector<std::string> DatabaseList::current(const config::Config& config) const {
    if (!config.postgresql.databases.empty()) {
        return config.postgresql.databases;
    }
    if (!discovered_.empty()) {
        return discovered_;
    }
    return {config.postgresql.database};
}

} // namespace pga::collect
