// The typed configuration every tool reads. Defaults live here, in the member initialisers, and
// nowhere else: the option table (options.hpp) points at these fields and reads the defaults back
// for validation messages and the sample file.
#pragma once

#include "pga/util/secret.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pga::config {

// Per metric type: the `[<type>]` section's enabled, interval and time budget.
struct MetricSettings {
    bool enabled = true;
    std::int64_t interval_s = 60;
    std::int64_t timeout_s = 30;
};

struct Config {
    struct Collector {
        std::string id;
        std::string hostname; // empty in the file means "the host's name", filled in by load()
        std::int64_t interval_s = 60;
        std::int64_t push_interval_s = 60;
        std::int64_t config_pull_interval_s = 300;
        std::string state_dir = "/var/lib/pganalytics";
        std::string log_file = "/var/log/pganalytics/collector.log";
        std::string log_level = "info";
    } collector;

    struct Backend {
        std::string url;
        std::string token_inline;
        std::string token_file;
        std::string registration_secret_file;
        std::int64_t timeout_s = 30;
        std::int64_t connect_timeout_s = 10;
        std::string compression = "none";
        std::int64_t max_request_kib = 4096;
        util::Secret token;               // resolved: token_file, token, PGANALYTICS_TOKEN
        util::Secret registration_secret; // resolved: registration_secret_file, REGISTRATION_SECRET
    } backend;

    struct Postgres {
        std::string host = "localhost";
        std::int64_t port = 5432;
        std::string user = "pganalytics";
        std::string password_inline;
        std::string password_file;
        std::string sslmode = "prefer";
        std::string database = "postgres";
        std::vector<std::string> databases; // empty: every database that allows connections
        std::int64_t connect_timeout_s = 10;
        std::int64_t statement_timeout_ms = 30000;
        std::int64_t lock_timeout_ms = 1000;
        std::int64_t query_stats_limit = 100;
        std::int64_t pool_min_size = 2;
        std::int64_t pool_max_size = 10;
        std::int64_t pool_idle_timeout_s = 300;
        std::int64_t database_discovery_interval_s = 300;
        util::Secret password; // resolved: password_file, password, PGPASSWORD (else .pgpass)
    } postgresql;

    struct Threading {
        std::int64_t thread_pool_size = 4;
    } threading;

    struct Tls {
        bool verify = true;
        bool verify_written = false; // true when the file sets `verify` explicitly
        std::string ca_file;
        std::string cert_file;
        std::string key_file;
    } tls;

    struct Spool {
        std::int64_t max_size_mib = 256;
        std::int64_t max_age_s = 86400;
    } spool;

    struct Exporter {
        bool enabled = false;
        std::string listen = "127.0.0.1:9188";
    } exporter;

    // Per metric type tuning keys ([<type>] section): how much one run reports or reads.
    struct Collectors {
        std::int64_t pg_stats_max_tables = 200;
        std::int64_t pg_stats_max_indexes = 200;
        bool pg_connections_include_query_text = false;
        std::int64_t pg_connections_long_running_s = 300;
        std::int64_t pg_connections_max_sessions = 100;
        std::int64_t pg_log_max_lines = 1000;
        std::int64_t pg_log_max_read_kib = 8192;
        std::int64_t pg_bloat_max_relations = 100;
        std::int64_t pg_bloat_min_pages = 10;
        std::int64_t pg_bloat_max_measured = 10;
        std::int64_t pg_cache_max_tables = 200;
        std::int64_t pg_cache_max_indexes = 200;
        std::int64_t pg_schema_max_relations = 2000;
    } tuning;

    std::map<std::string, MetricSettings> metrics; // keyed by metric type name
    std::string source_path;                       // the file this was loaded from
};

} // namespace pga::config
