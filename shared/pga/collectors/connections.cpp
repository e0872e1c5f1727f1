// pg_connections: see connections.hpp. The raw query column is selected only when text is wanted,
// so by default it never enters the process.
#include "pga/collectors/connections.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/session_collector.hpp"
#include "pga/collectors/sql_obfuscate.hpp"

namespace pga::collectors {

namespace {

const char* const k_counts_sql =
    "SELECT COALESCE(a.state, '') AS state, COALESCE(a.wait_event_type, '') AS wait_event_type,"
    " COALESCE(a.wait_event, '') AS wait_event, a.backend_type, COALESCE(a.datname, '') AS database,"
    " count(*)::int8 AS count FROM pg_catalog.pg_stat_activity a GROUP BY 1, 2, 3, 4, 5";

const char* const k_limits_sql =
    "SELECT pg_catalog.current_setting('max_connections')::int8 AS max_connections,"
    " pg_catalog.current_setting('superuser_reserved_connections')::int8 AS superuser_reserved_connections";

std::string long_running_sql(bool with_query) {
    return std::string("SELECT a.pid, a.datname AS database, a.usename, a.application_name,"
                       " a.client_addr::text AS client_addr, a.backend_type, a.state, a.wait_event_type,"
                       " a.wait_event, EXTRACT(EPOCH FROM pg_catalog.now() - a.xact_start)::float8 AS xact_duration_s,"
                       " EXTRACT(EPOCH FROM pg_catalog.now() - a.query_start)::float8 AS query_duration_s,"
                       " EXTRACT(EPOCH FROM pg_catalog.now() - a.state_change)::float8 AS state_duration_s,"
                       " a.backend_xid::text AS backend_xid, pg_catalog.age(a.backend_xmin)::int8 AS xmin_age") +
           (with_query ? ", a.query" : "") +
           " FROM pg_catalog.pg_stat_activity a WHERE a.pid <> pg_catalog.pg_backend_pid()"
           " AND (a.state = 'active' OR a.state LIKE 'idle in transaction%')"
           " AND pg_catalog.now() - COALESCE(a.xact_start, a.query_start) > $1::float8 * interval '1 second'"
           " ORDER BY COALESCE(a.xact_start, a.query_start) LIMIT $2";
}

constexpr Field k_session_fields[] = {
    {"pid", Kind::integer},
    {"database", Kind::text},
    {"usename", Kind::text},
    {"application_name", Kind::text},
    {"client_addr", Kind::text},
    {"backend_type", Kind::text},
    {"state", Kind::text},
    {"wait_event_type", Kind::text},
    {"wait_event", Kind::text},
    {"xact_duration_s", Kind::number},
    {"query_duration_s", Kind::number},
    {"state_duration_s", Kind::number},
    {"backend_xid", Kind::text},
    {"xmin_age", Kind::integer},
};

// Adds count to o[key] (a {name: count} map); "" is reported as "none".
void add_count(nlohmann::json& o, const char* key, std::string_view name, std::int64_t count) {
    const std::string k = name.empty() ? "none" : std::string(name);
    o[key][k] = o[key].value(k, std::int64_t{0}) + count;
}

nlohmann::json counts_json(const pg::Result& r) {
    nlohmann::json o = {{"total", 0},
                        {"by_state", nlohmann::json::object()},
                        {"by_wait_event_type", nlohmann::json::object()},
                        {"by_wait_event", nlohmann::json::object()},
                        {"by_backend_type", nlohmann::json::object()},
                        {"by_database", nlohmann::json::object()}};
    std::int64_t total = 0;
    for (int i = 0; i < r.rows(); ++i) {
        const auto n = r.get_int(i, 5).value_or(0);
        total += n;
        add_count(o, "by_state", r.text(i, 0), n);
        add_count(o, "by_wait_event_type", r.text(i, 1), n);
        if (!r.is_null(i, 2) && !r.text(i, 2).empty()) {
            add_count(o, "by_wait_event", std::string(r.text(i, 1)) + ":" + std::string(r.text(i, 2)), n);
        }
        add_count(o, "by_backend_type", r.text(i, 3), n);
        if (!r.text(i, 4).empty()) {
            add_count(o, "by_database", r.text(i, 4), n);
        }
    }
    o["total"] = total;
    return o;
}

} // namespace

nlohmann::json read_connections(pg::Session& session, const ConnectionsOptions& options, std::uint64_t* rows) {
    const auto counts = session.query(k_counts_sql);
    const auto limits = session.query(k_limits_sql);
    const auto sessions = session.query(long_running_sql(options.include_query_text),
                                        {std::to_string(options.long_running_s), std::to_string(options.max_sessions)});
    nlohmann::json o = counts_json(counts);
    o["max_connections"] = first_int(limits, "max_connections");
    o["superuser_reserved_connections"] = first_int(limits, "superuser_reserved_connections");
    o["long_running_threshold_s"] = options.long_running_s;
    auto list = nlohmann::json::array();
    std::int64_t idle_in_xact = 0;
    for (int i = 0; i < sessions.rows(); ++i) {
        auto s = row_object(sessions, i, k_session_fields);
        idle_in_xact += s["state"].is_string() && s["state"].get<std::string>().starts_with("idle in") ? 1 : 0;
        if (options.include_query_text) {
            const auto q = sessions.get(i, sessions.column("query"));
            const auto clean = q ? obfuscate_sql(*q) : std::nullopt;
            s["query"] = clean ? nlohmann::json(*clean) : nlohmann::json(nullptr);
        }
        list.push_back(std::move(s));
    }
    o["long_running"] = std::move(list);
    o["long_running_idle_in_transaction"] = idle_in_xact;
    if (rows != nullptr) {
        *rows += static_cast<std::uint64_t>(counts.rows() + sessions.rows());
    }
    return o;
}

std::unique_ptr<collect::Collector> make_connections() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context& ctx, collect::Output& out) {
            const auto& t = ctx.config.tuning;
            const ConnectionsOptions options{t.pg_connections_include_query_text, t.pg_connections_long_running_s,
                                             t.pg_connections_max_sessions};
            out.metrics.push_back(read_connections(s, options, &out.rows));
        },
        false);
}

} // namespace pga::collectors
