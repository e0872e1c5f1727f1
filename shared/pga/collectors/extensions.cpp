// pg_extensions: see extensions.hpp.
#include "pga/collectors/extensions.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/session_collector.hpp"

namespace pga::collectors {

namespace {

const char* const k_extensions_sql =
    "SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema, e.extrelocatable AS relocatable,"
    " a.default_version, (a.default_version IS NOT NULL AND a.default_version <> e.extversion) AS update_available"
    " FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
    " LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = e.extname ORDER BY e.extname";

constexpr Field k_fields[] = {
    {"name", Kind::text},           {"version", Kind::text},         {"schema", Kind::text},
    {"relocatable", Kind::boolean}, {"default_version", Kind::text}, {"update_available", Kind::boolean},
};

} // namespace

nlohmann::json read_extensions(pg::Session& session, std::uint64_t* rows) {
    const auto r = session.query(k_extensions_sql);
    if (rows != nullptr) {
        *rows += static_cast<std::uint64_t>(r.rows());
    }
    return {{"database", session.database()}, {"extensions", rows_array(r, k_fields)}};
}

std::unique_ptr<collect::Collector> make_extensions() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context&, collect::Output& out) {
            out.metrics.push_back(read_extensions(s, &out.rows));
        },
        true);
}

} // namespace pga::collectors
