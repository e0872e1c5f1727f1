// The option table: see options.hpp. Each row binds a TOML key to one Config field.
#include "pga/config/options.hpp"

#include "pga/util/strings.hpp"

#include <limits>

namespace pga::config {

namespace {

constexpr std::int64_t k_big = std::numeric_limits<std::int32_t>::max();

// Binds a key to field `f` of section struct `s`; the value type is deduced from the field.
template <class S, class T>
Option opt(std::string section, std::string name, S Config::*s, T S::*f, std::string description) {
    Option o;
    o.section = std::move(section);
    o.name = std::move(name);
    o.description = std::move(description);
    if constexpr (std::is_same_v<T, std::int64_t>) {
        o.type = Type::integer;
    } else if constexpr (std::is_same_v<T, bool>) {
        o.type = Type::boolean;
    } else if constexpr (std::is_same_v<T, std::string>) {
        o.type = Type::string;
    } else {
        o.type = Type::string_list;
    }
    o.set = [s, f](Config& c, const Value& v) { (c.*s).*f = std::get<T>(v); };
    o.get = [s, f](const Config& c) -> Value { return (c.*s).*f; };
    return o;
}

Option range(Option o, std::int64_t min, std::int64_t max, std::string unit = "") {
    o.min = min;
    o.max = max;
    o.unit = std::move(unit);
    return o;
}

Option choices(Option o, std::vector<std::string> allowed) {
    o.choices = std::move(allowed);
    return o;
}

Option secret(Option o) {
    o.secret = true;
    return o;
}

Option readable_file(Option o) {
    o.readable_file = true;
    return o;
}

using C = Config;

std::vector<Option> collector_options() {
    using S = C::Collector;
    return {
        opt("collector", "id", &C::collector, &S::id,
            "Collector identifier; empty means the one stored by `pganalytics register`"),
        opt("collector", "hostname", &C::collector, &S::hostname,
            "Host name sent with every batch; empty means this host's name"),
        range(opt("collector", "interval", &C::collector, &S::interval_s, "Collect every N seconds"), 1, 86400,
              "seconds"),
        range(opt("collector", "push_interval", &C::collector, &S::push_interval_s,
                  "Hand collected batches to the backend every N seconds"),
              1, 86400, "seconds"),
        range(opt("collector", "config_pull_interval", &C::collector, &S::config_pull_interval_s,
                  "Ask the backend for a new configuration every N seconds"),
              1, 86400, "seconds"),
        opt("collector", "state_dir", &C::collector, &S::state_dir,
            "Identity, token, spool, lock and status file live here"),
        opt("collector", "log_file", &C::collector, &S::log_file,
            "Log file; if it cannot be opened, logs go to stderr"),
        choices(opt("collector", "log_level", &C::collector, &S::log_level,
                    "Log level: trace, debug, info, warning (or warn), error, critical or off"),
                {"trace", "debug", "info", "warning", "warn", "error", "critical", "off"}),
    };
}

std::vector<Option> backend_options() {
    using S = C::Backend;
    return {
        opt("backend", "url", &C::backend, &S::url, "Base URL of the pgAnalytics backend (http or https)"),
        secret(opt("backend", "token", &C::backend, &S::token_inline,
                   "Static bearer token (prefer token_file; the file must then be chmod 600)")),
        readable_file(opt("backend", "token_file", &C::backend, &S::token_file, "File holding a static bearer token")),
        readable_file(opt("backend", "registration_secret_file", &C::backend, &S::registration_secret_file,
                          "File holding the registration secret for `pganalytics register`")),
        range(opt("backend", "timeout", &C::backend, &S::timeout_s, "Total time limit of one request"), 1, 600,
              "seconds"),
        range(opt("backend", "connect_timeout", &C::backend, &S::connect_timeout_s,
                  "Time limit to establish a connection"),
              1, 300, "seconds"),
        choices(opt("backend", "compression", &C::backend, &S::compression,
                    "Request body compression: none or gzip (the stock backend needs none)"),
                {"none", "gzip"}),
        range(opt("backend", "max_request_kib", &C::backend, &S::max_request_kib,
                  "Split batches so one request body stays under this size"),
              16, 65536, "KiB"),
    };
}

std::vector<Option> postgresql_options() {
    using S = C::Postgres;
    const std::string pg = "postgresql";
    return {
        opt(pg, "host", &C::postgresql, &S::host, "Server host name, IP address or socket directory"),
        range(opt(pg, "port", &C::postgresql, &S::port, "Server port"), 1, 65535),
        opt(pg, "user", &C::postgresql, &S::user, "Role to connect as (pg_monitor is enough)"),
        secret(opt(pg, "password", &C::postgresql, &S::password_inline,
                   "Password (prefer password_file, PGPASSWORD or ~/.pgpass)")),
        readable_file(opt(pg, "password_file", &C::postgresql, &S::password_file, "File holding the password")),
        choices(opt(pg, "sslmode", &C::postgresql, &S::sslmode, "libpq sslmode"),
                {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}),
        opt(pg, "database", &C::postgresql, &S::database, "Database for cluster-wide queries"),
        opt(pg, "databases", &C::postgresql, &S::databases,
            "Databases to monitor (array or comma-separated string); empty means every database "
            "that allows connections"),
        range(opt(pg, "connect_timeout", &C::postgresql, &S::connect_timeout_s, "Connection time limit"), 1, 300,
              "seconds"),
        range(opt(pg, "statement_timeout", &C::postgresql, &S::statement_timeout_ms,
                  "statement_timeout of every collector session"),
              100, 3600000, "milliseconds"),
        range(opt(pg, "lock_timeout", &C::postgresql, &S::lock_timeout_ms, "lock_timeout of every collector session"),
              10, 600000, "milliseconds"),
        range(opt(pg, "query_stats_limit", &C::postgresql, &S::query_stats_limit,
                  "Top statements per database sent from pg_stat_statements"),
              10, 10000),
        range(opt(pg, "pool_min_size", &C::postgresql, &S::pool_min_size, "Connections kept warm"), 0, 1000),
        range(opt(pg, "pool_max_size", &C::postgresql, &S::pool_max_size,
                  "Hard cap on connections across all monitored databases"),
              1, 1000),
        range(opt(pg, "pool_idle_timeout", &C::postgresql, &S::pool_idle_timeout_s,
                  "Close connections idle for longer than this"),
              1, 86400, "seconds"),
        range(opt(pg, "database_discovery_interval", &C::postgresql, &S::database_discovery_interval_s,
                  "Re-discover databases this often when `databases` is empty"),
              10, 86400, "seconds"),
    };
}

std::vector<Option> other_options() {
    return {
        range(opt("collector_threading", "thread_pool_size", &C::threading, &C::Threading::thread_pool_size,
                  "Worker threads running collectors; 1 means sequential"),
              1, 256),
        opt("tls", "verify", &C::tls, &C::Tls::verify,
            "Verify the backend's TLS certificate (turning it off is logged at every start)"),
        readable_file(opt("tls", "ca_file", &C::tls, &C::Tls::ca_file, "CA bundle to verify the backend")),
        readable_file(opt("tls", "cert_file", &C::tls, &C::Tls::cert_file, "Client certificate for mTLS")),
        readable_file(opt("tls", "key_file", &C::tls, &C::Tls::key_file, "Client key for mTLS")),
        range(opt("spool", "max_size_mib", &C::spool, &C::Spool::max_size_mib,
                  "Disk spool bound; the oldest batches are dropped (and counted) beyond it"),
              1, 1048576, "MiB"),
        range(opt("spool", "max_age", &C::spool, &C::Spool::max_age_s,
                  "Batches older than this are dropped (and counted)"),
              60, 31536000, "seconds"),
        opt("exporter", "enabled", &C::exporter, &C::Exporter::enabled, "Serve Prometheus /metrics and /health"),
        opt("exporter", "listen", &C::exporter, &C::Exporter::listen, "Address:port to listen on"),
    };
}

std::vector<Option> tuning_options() {
    using S = C::Collectors;
    return {
        range(opt("pg_stats", "max_tables", &C::tuning, &S::pg_stats_max_tables,
                  "Largest tables reported per database (the rest are counted)"),
              1, k_big),
        range(opt("pg_stats", "max_indexes", &C::tuning, &S::pg_stats_max_indexes,
                  "Largest indexes reported per database (the rest are counted)"),
              1, k_big),
        opt("pg_connections", "include_query_text", &C::tuning, &S::pg_connections_include_query_text,
            "Send obfuscated query text of sessions (literals removed; off by default)"),
        range(opt("pg_connections", "long_running_threshold", &C::tuning, &S::pg_connections_long_running_s,
                  "Sessions active or idle in transaction longer than this are listed"),
              1, k_big, "seconds"),
        range(opt("pg_connections", "max_sessions", &C::tuning, &S::pg_connections_max_sessions,
                  "Long-running sessions listed at most, longest first (the rest are counted)"),
              1, 100000),
        range(opt("pg_log", "max_lines", &C::tuning, &S::pg_log_max_lines, "Server log lines read per cycle at most"),
              1, 1000000),
        range(opt("pg_log", "max_read_kib", &C::tuning, &S::pg_log_max_read_kib,
                  "Server log bytes read per cycle at most; the rest waits for the next cycle"),
              64, 1048576, "KiB"),
        range(opt("pg_bloat", "max_relations", &C::tuning, &S::pg_bloat_max_relations,
                  "Tables and indexes (each) reported per database at most, largest first"),
              1, 100000),
        range(opt("pg_bloat", "min_pages", &C::tuning, &S::pg_bloat_min_pages,
                  "Relations smaller than this many pages are not estimated"),
              0, k_big, "pages"),
        range(opt("pg_bloat", "max_measured", &C::tuning, &S::pg_bloat_max_measured,
                  "Relations without statistics measured with pgstattuple per run (tables and indexes each; "
                  "0: never)"),
              0, 10000),
        range(opt("pg_cache", "max_tables", &C::tuning, &S::pg_cache_max_tables,
                  "Busiest tables reported per database (the rest are counted)"),
              1, 100000),
        range(opt("pg_cache", "max_indexes", &C::tuning, &S::pg_cache_max_indexes,
                  "Busiest indexes reported per database (the rest are counted)"),
              1, 100000),
        range(opt("pg_schema", "max_relations", &C::tuning, &S::pg_schema_max_relations,
                  "Relations inventoried per database at most, with their columns, indexes and constraints"),
              1, 1000000),
    };
}

std::vector<Option> metric_options(const MetricDefaults& m) {
    const std::string name = m.name;
    Option enabled;
    enabled.section = name;
    enabled.name = "enabled";
    enabled.type = Type::boolean;
    enabled.description = "Collect " + name + " (" + m.description + ")";
    enabled.set = [name](Config& c, const Value& v) { c.metrics[name].enabled = std::get<bool>(v); };
    enabled.get = [name](const Config& c) -> Value { return c.metrics.at(name).enabled; };
    Option interval = enabled;
    interval.name = "interval";
    interval.type = Type::integer;
    interval.description = "Collect " + name + " every N seconds";
    interval.unit = "seconds";
    interval.min = 1;
    interval.max = 86400 * 7;
    interval.set = [name](Config& c, const Value& v) { c.metrics[name].interval_s = std::get<std::int64_t>(v); };
    interval.get = [name](const Config& c) -> Value { return c.metrics.at(name).interval_s; };
    Option timeout = interval;
    timeout.name = "timeout";
    timeout.description = "Time budget of one " + name + " run";
    timeout.max = 3600;
    timeout.set = [name](Config& c, const Value& v) { c.metrics[name].timeout_s = std::get<std::int64_t>(v); };
    timeout.get = [name](const Config& c) -> Value { return c.metrics.at(name).timeout_s; };
    return {enabled, interval, timeout};
}

} // namespace

const std::vector<std::string>& section_order() {
    static const std::vector<std::string> order = {"collector", "backend", "postgresql", "collector_threading",
                                                   "tls",       "spool",   "exporter"};
    return order;
}

const std::vector<std::pair<std::string, std::string>>& section_aliases() {
    static const std::vector<std::pair<std::string, std::string>> aliases = {{"postgres", "postgresql"}};
    return aliases;
}

std::vector<Option> option_table(const std::vector<MetricDefaults>& metrics) {
    std::vector<Option> table;
    for (auto part : {collector_options(), backend_options(), postgresql_options(), other_options()}) {
        table.insert(table.end(), part.begin(), part.end());
    }
    const auto tuning = tuning_options();
    for (const auto& m : metrics) {
        const auto rows = metric_options(m);
        table.insert(table.end(), rows.begin(), rows.end());
        for (const auto& t : tuning) {
            if (t.section == m.name) {
                table.push_back(t);
            }
        }
    }
    return table;
}

Config default_config(const std::vector<MetricDefaults>& metrics) {
    Config c;
    for (const auto& m : metrics) {
        c.metrics[m.name] = MetricSettings{m.enabled, m.interval_s, m.timeout_s};
    }
    return c;
}

std::string to_toml(const Value& value) {
    struct Visitor {
        std::string operator()(std::int64_t v) const { return std::to_string(v); }
        std::string operator()(bool v) const { return v ? "true" : "false"; }
        std::string operator()(const std::string& v) const { return quote(v); }
        std::string operator()(const std::vector<std::string>& v) const {
            std::vector<std::string> quoted;
            for (const auto& s : v) {
                quoted.push_back(quote(s));
            }
            return "[" + util::join(quoted, ", ") + "]";
        }
        static std::string quote(const std::string& s) {
            std::string out = "\"";
            for (char ch : s) {
                if (ch == '"' || ch == '\\') {
                    out += '\\';
                }
                out += ch;
            }
            return out + "\"";
        }
    };
    return std::visit(Visitor{}, value);
}

} // namespace pga::config
