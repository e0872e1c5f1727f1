// pg_locks: see locks.hpp. pg_blocking_pids() takes the lock manager's locks, so it is only called
// for sessions already waiting on a lock (wait_event_type = 'Lock'). Wait time is measured from
// pg_locks.waitstart on 14+, from the start of the waiting statement on 13.
#include "pga/collectors/locks.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/session_collector.hpp"

#include <algorithm>
#include <set>

namespace pga::collectors {

namespace {

const char* const k_counts_sql =
    "SELECT l.locktype, l.mode, l.granted, count(*)::int8 AS count FROM pg_catalog.pg_locks l"
    " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";

std::string waiting_sql(int version) {
    const std::string since = version >= 140000 ? "COALESCE(l.waitstart, a.query_start)" : "a.query_start";
    return "SELECT a.pid, a.datname AS database, a.usename, a.application_name, a.backend_type, a.wait_event,"
           " pg_catalog.pg_blocking_pids(a.pid)::text AS blocking_pids,"
           " EXTRACT(EPOCH FROM pg_catalog.now() - " +
           since +
           ")::float8 AS wait_s,"
           " l.locktype, l.mode, l.relation::int8 AS relation_oid, l.transactionid::text AS transactionid"
           " FROM pg_catalog.pg_stat_activity a LEFT JOIN pg_catalog.pg_locks l ON l.pid = a.pid AND NOT l.granted"
           " WHERE a.wait_event_type = 'Lock' AND a.pid <> pg_catalog.pg_backend_pid() ORDER BY a.pid";
}

const char* const k_blockers_sql =
    "SELECT a.pid, a.datname AS database, a.usename, a.application_name, a.backend_type, a.state,"
    " a.wait_event_type, a.wait_event,"
    " EXTRACT(EPOCH FROM pg_catalog.now() - a.xact_start)::float8 AS xact_duration_s,"
    " EXTRACT(EPOCH FROM pg_catalog.now() - a.state_change)::float8 AS state_duration_s"
    " FROM pg_catalog.pg_stat_activity a WHERE a.pid = ANY ($1::int[]) ORDER BY a.pid";

constexpr Field k_count_fields[] = {
    {"locktype", Kind::text}, {"mode", Kind::text}, {"granted", Kind::boolean}, {"count", Kind::integer}};

constexpr Field k_waiting_fields[] = {
    {"pid", Kind::integer},           {"database", Kind::text},      {"usename", Kind::text},
    {"application_name", Kind::text}, {"backend_type", Kind::text},  {"wait_event", Kind::text},
    {"wait_s", Kind::number},         {"locktype", Kind::text},      {"mode", Kind::text},
    {"relation_oid", Kind::integer},  {"transactionid", Kind::text},
};

constexpr Field k_blocker_fields[] = {
    {"pid", Kind::integer},
    {"database", Kind::text},
    {"usename", Kind::text},
    {"application_name", Kind::text},
    {"backend_type", Kind::text},
    {"state", Kind::text},
    {"wait_event_type", Kind::text},
    {"wait_event", Kind::text},
    {"xact_duration_s", Kind::number},
    {"state_duration_s", Kind::number},
};

// Walks from pid up its blockers, collecting the roots; returns the depth of the longest path.
int walk(std::int64_t pid, const std::map<std::int64_t, std::vector<std::int64_t>>& blocked_by,
         std::set<std::int64_t>& seen, std::set<std::int64_t>& roots) {
    const auto it = blocked_by.find(pid);
    if (it == blocked_by.end() || it->second.empty()) {
        roots.insert(pid);
        return 0;
    }
    int depth = 0;
    for (const auto blocker : it->second) {
        if (seen.insert(blocker).second) {
            depth = std::max(depth, 1 + walk(blocker, blocked_by, seen, roots));
        }
    }
    return depth;
}

} // namespace

std::map<std::int64_t, ChainInfo> blocking_chains(const std::map<std::int64_t, std::vector<std::int64_t>>& blocked_by) {
    std::map<std::int64_t, ChainInfo> out;
    for (const auto& [pid, blockers] : blocked_by) {
        std::set<std::int64_t> seen{pid};
        std::set<std::int64_t> roots;
        const int depth = walk(pid, blocked_by, seen, roots);
        roots.erase(pid);
        out[pid] = {std::vector<std::int64_t>(roots.begin(), roots.end()), depth};
    }
    return out;
}

nlohmann::json read_locks(pg::Session& session, std::uint64_t* rows) {
    const auto counts = session.query(k_counts_sql);
    const auto waiting = session.query(waiting_sql(session.server_version()));
    std::map<std::int64_t, std::vector<std::int64_t>> blocked_by;
    auto sessions = nlohmann::json::array();
    for (int i = 0; i < waiting.rows(); ++i) {
        auto w = row_object(waiting, i, k_waiting_fields);
        const auto pids = parse_int_array(waiting.text(i, waiting.column("blocking_pids")));
        blocked_by[w["pid"].get<std::int64_t>()] = pids;
        w["blocking_pids"] = pids;
        sessions.push_back(std::move(w));
    }
    const auto chains = blocking_chains(blocked_by);
    std::set<std::int64_t> all_roots;
    for (auto& w : sessions) {
        const auto& c = chains.at(w["pid"].get<std::int64_t>());
        w["root_blocking_pids"] = c.roots;
        w["chain_depth"] = c.depth;
        all_roots.insert(c.roots.begin(), c.roots.end());
    }
    std::string ids;
    for (const auto pid : all_roots) {
        ids += (ids.empty() ? "" : ",") + std::to_string(pid);
    }
    const auto blockers = session.query(k_blockers_sql, {"{" + ids + "}"});
    if (rows != nullptr) {
        *rows += static_cast<std::uint64_t>(counts.rows() + waiting.rows() + blockers.rows());
    }
    return {{"counts", rows_array(counts, k_count_fields)},
            {"waiting", std::move(sessions)},
            {"waiting_count", waiting.rows()},
            {"root_blockers", rows_array(blockers, k_blocker_fields)}};
}

std::unique_ptr<collect::Collector> make_locks() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context&, collect::Output& out) {
            out.metrics.push_back(read_locks(s, &out.rows));
        },
        false);
}

} // namespace pga::collectors
