// pga-validate's postgresql section: reachability with the configured settings, server version,
// pg_stat_statements (preloaded, installed in each checked database, readable), the role's
// privileges and whether connection limits leave room for pool_max_size.
#include "pga/cli/validate/checks.hpp"
#include "pga/cli/validate/pg_params.hpp"

#include "pga/util/strings.hpp"

#include <memory>

namespace pga::cli::validate {

namespace {

constexpr const char* k_sec = "postgresql";
constexpr int k_min_version = 130000;

std::string version_text(int v) {
    return std::to_string(v / 10000) + "." + std::to_string(v % 10000);
}

void check_version(pg::Connection& conn, Report& r) {
    const int v = conn.server_version();
    if (v < k_min_version) {
        r.error(k_sec, "postgresql.version", "server version " + version_text(v) + " is older than 13",
                "upgrade PostgreSQL to 13 or later");
    } else {
        r.ok(k_sec, "postgresql.version", "server version " + version_text(v));
    }
}

void check_preload(pg::Connection& conn, Report& r) {
    const auto libs = conn.value("SELECT current_setting('shared_preload_libraries')").value_or("");
    bool found = false;
    for (const auto& lib : util::split_list(libs)) {
        found = found || lib == "pg_stat_statements" || lib == "\"pg_stat_statements\"";
    }
    if (found) {
        r.ok(k_sec, "pg_stat_statements.preload", "pg_stat_statements is in shared_preload_libraries");
    } else {
        r.error(k_sec, "pg_stat_statements.preload",
                "pg_stat_statements is not in shared_preload_libraries ('" + util::escape_control(libs) + "')",
                "add pg_stat_statements to shared_preload_libraries in postgresql.conf and restart PostgreSQL");
    }
}

// Returns the schema pg_stat_statements is installed in, or "" when it is not installed.
std::string check_installed(pg::Connection& conn, Report& r) {
    const auto res = conn.query("SELECT n.nspname, e.extversion FROM pg_extension e JOIN pg_namespace n ON "
                                "n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'");
    const std::string db = util::escape_control(conn.database());
    if (res.rows() == 0) {
        r.error(k_sec, "pg_stat_statements.installed", "extension pg_stat_statements is not installed in " + db,
                "run in database " + db + " as a superuser: CREATE EXTENSION pg_stat_statements;");
        return "";
    }
    r.ok(k_sec, "pg_stat_statements.installed",
         "pg_stat_statements " + res.get(0, 1).value_or("?") + " installed in " + db);
    return res.get(0, 0).value_or("public");
}

void check_readable(pg::Connection& conn, const std::string& schema, Report& r) {
    const std::string db = util::escape_control(conn.database());
    try {
        const auto n = conn.value("SELECT count(*) FROM " + conn.quote_identifier(schema) + ".pg_stat_statements");
        r.ok(k_sec, "pg_stat_statements.readable",
             "pg_stat_statements readable in " + db + " (" + n.value_or("0") + " statements)");
    } catch (const pg::Error& e) {
        r.error(k_sec, "pg_stat_statements.readable", "cannot read pg_stat_statements in " + db + ": " + e.what(),
                "grant pg_monitor (or pg_read_all_stats) to the role and make sure the library is preloaded");
    }
}

void check_role(pg::Connection& conn, const config::Config& c, Report& r) {
    const auto res = conn.query("SELECT rolsuper, pg_has_role(current_user, 'pg_monitor', 'MEMBER') FROM pg_roles "
                                "WHERE rolname = current_user");
    const std::string role = util::escape_control(c.postgresql.user);
    if (res.get_bool(0, 0).value_or(false)) {
        r.error(k_sec, "role.superuser", "role " + role + " is a superuser",
                "create a least-privilege role: CREATE ROLE pganalytics LOGIN; GRANT pg_monitor TO pganalytics;");
    } else {
        r.ok(k_sec, "role.superuser", "role " + role + " is not a superuser");
    }
    if (res.get_bool(0, 1).value_or(false)) {
        r.ok(k_sec, "role.pg_monitor", "role " + role + " has pg_monitor");
    } else {
        r.warning(k_sec, "role.pg_monitor", "role " + role + " is not a member of pg_monitor",
                  "run as a superuser: GRANT pg_monitor TO " + conn.quote_identifier(c.postgresql.user) + ";");
    }
}

void check_headroom(pg::Connection& conn, const config::Config& c, Report& r) {
    const auto res = conn.query(
        "SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int + "
        "coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0), "
        "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()), "
        "(SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user)");
    const auto max_conn = res.get_int(0, 0).value_or(0);
    const auto reserved = res.get_int(0, 1).value_or(0);
    const auto used = res.get_int(0, 2).value_or(0);
    const auto limit = res.get_int(0, 3).value_or(-1);
    const auto pool = c.postgresql.pool_max_size;
    const std::string pool_text = "pool_max_size " + std::to_string(pool);
    if (limit >= 0 && limit < pool) {
        r.error(k_sec, "connections.role_limit",
                "role connection limit " + std::to_string(limit) + " is below " + pool_text,
                "lower postgresql.pool_max_size or run: ALTER ROLE " + conn.quote_identifier(c.postgresql.user) +
                    " CONNECTION LIMIT " + std::to_string(pool) + ";");
    } else {
        r.ok(k_sec, "connections.role_limit",
             limit < 0 ? "role has no connection limit" : "role connection limit " + std::to_string(limit));
    }
    const auto free_slots = max_conn - reserved - used;
    const std::string detail = "max_connections " + std::to_string(max_conn) + ", reserved " +
                               std::to_string(reserved) + ", in use " + std::to_string(used) + ", " + pool_text;
    if (free_slots < pool) {
        r.error(k_sec, "connections.max_connections", "not enough free connections: " + detail,
                "lower postgresql.pool_max_size or raise max_connections");
    } else if (pool * 2 > max_conn - reserved) {
        r.warning(k_sec, "connections.max_connections", "the pool may take over half the connections: " + detail,
                  "lower postgresql.pool_max_size");
    } else {
        r.ok(k_sec, "connections.max_connections", detail);
    }
}

void check_database(const config::Config& c, const std::string& db, Report& r) {
    try {
        pg::Connection conn(conn_params(c, db, "pga-validate"));
        const std::string schema = check_installed(conn, r);
        if (!schema.empty()) {
            check_readable(conn, schema, r);
        }
    } catch (const pg::Error& e) {
        r.error(k_sec, "postgresql.connect", e.what(), connect_hint(c, e.what()));
    }
}

} // namespace

void check_postgresql(const config::Config& c, Report& r) {
    std::unique_ptr<pg::Connection> conn;
    try {
        conn = std::make_unique<pg::Connection>(conn_params(c, "", "pga-validate"));
        r.ok(k_sec, "postgresql.connect",
             "connected to " + pg::describe(conn_params(c, "", "pga-validate")) + " as " +
                 util::escape_control(c.postgresql.user));
    } catch (const pg::Error& e) {
        r.error(k_sec, "postgresql.connect", e.what(), connect_hint(c, e.what()));
        r.skipped(k_sec, "postgresql.checks", "remaining PostgreSQL checks need a connection");
        return;
    }
    const auto guarded = [&](const char* name, const auto& fn) {
        try {
            fn();
        } catch (const pg::Error& e) {
            r.error(k_sec, name, e.what(), "grant pg_monitor to the role: it includes the read privileges needed");
        }
    };
    guarded("postgresql.version", [&] { check_version(*conn, r); });
    guarded("pg_stat_statements.preload", [&] { check_preload(*conn, r); });
    guarded("pg_stat_statements.installed", [&] {
        const std::string schema = check_installed(*conn, r);
        if (!schema.empty()) {
            check_readable(*conn, schema, r);
        }
    });
    guarded("role.superuser", [&] { check_role(*conn, c, r); });
    guarded("connections.max_connections", [&] { check_headroom(*conn, c, r); });
    for (const auto& db : c.postgresql.databases) {
        if (db != c.postgresql.database) {
            check_database(c, db, r);
        }
    }
}

} // namespace pga::cli::validate
