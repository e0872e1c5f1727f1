// pg_io: see io.hpp.
#include "pga/collectors/io.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/session_collector.hpp"

namespace pga::collectors {

namespace {

const std::string k_io_sql = "SELECT s.*, " + rfc3339_sql("s.stats_reset", "stats_reset") +
                             " FROM pg_catalog.pg_stat_io s ORDER BY s.backend_type, s.object, s.context";

} // namespace

void read_io(pg::Session& session, collect::Output& out) {
    if (session.server_version() < 160000) {
        out.unavailable = "pg_stat_io is not available on this version (needs PostgreSQL 16)";
        return;
    }
    const auto r = session.query(k_io_sql);
    auto stats = nlohmann::json::array();
    for (int i = 0; i < r.rows(); ++i) {
        auto row = generic_row(r, i);
        // SELECT s.* gave stats_reset twice; the later, RFC3339 one won in generic_row.
        stats.push_back(std::move(row));
    }
    out.rows += static_cast<std::uint64_t>(r.rows());
    out.metrics.push_back({{"counters", "cumulative"}, {"io", std::move(stats)}});
}

std::unique_ptr<collect::Collector> make_io() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context&, collect::Output& out) { read_io(s, out); }, false);
}

} // namespace pga::collectors
