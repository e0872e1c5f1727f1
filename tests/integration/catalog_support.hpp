// Support for the metric catalog integration tests: a Config and pool pointed at a throwaway server
// as the pg_monitor-only role, one collector run shaped exactly as the manager shapes it (type,
// timestamp, status; error and unavailable objects), validation against docs/payload.schema.json,
// and a raw libpq session for setting up concurrent activity (locks, idle transactions).
#pragma once

#include "harness/pg_server.hpp"
#include "pga/collect/collector.hpp"
#include "pga/collect/metric.hpp"

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pga::test {

// Connection parameters of pga_monitor (TCP, password) on server.
pg::ConnParams monitor_params(const PgServer& server, const std::string& db = "postgres");

// Returns params (harness keyword/value pairs) as pg::ConnParams.
pg::ConnParams conn_params(const ConninfoParams& params);

// A configuration whose postgresql section points at server as pga_monitor; state_dir as given.
config::Config monitor_config(const PgServer& server, const std::string& state_dir = "");

// What one run produced: the objects a batch would carry, and the raw output.
struct CollectorRun {
    std::vector<nlohmann::json> metrics;
    collect::Output out;
    // Returns the objects with status "ok".
    std::vector<nlohmann::json> ok() const;
};

// Runs collector (named type) once against server as pga_monitor over databases (per database
// when the collector asks for it) and shapes the result as the manager does.
CollectorRun run_collector(std::string_view type, collect::Collector& collector, const PgServer& server,
                           const config::Config& config, const std::vector<std::string>& databases = {"postgres"});

// As above, connecting with base (dbname replaced per database) to a server of server_version_num.
CollectorRun run_collector(std::string_view type, collect::Collector& collector, const pg::ConnParams& base,
                           int server_version, const config::Config& config,
                           const std::vector<std::string>& databases = {"postgres"});

// Returns the schema violations of a push body (empty when it validates against the schema file).
std::vector<std::string> payload_errors(const nlohmann::json& body);

// Returns the schema violations of the push bodies delivery would send for a batch of metrics
// (deliver::to_spool_items, then deliver::build_envelope on each item).
std::vector<std::string> batch_errors(const std::vector<nlohmann::json>& metrics);
std::vector<std::string> batch_errors(const std::vector<collect::Metric>& metrics);

// A raw libpq connection for setting up activity: closed when destroyed.
class RawSession {
public:
    explicit RawSession(const ConninfoParams& params);
    RawSession(const RawSession&) = delete;
    RawSession& operator=(const RawSession&) = delete;
    // Runs sql and waits; throws std::runtime_error on failure.
    void exec(const std::string& sql);
    // Sends sql without waiting for it (it may block on a lock).
    void send(const std::string& sql);
    // Waits for the result of send(); returns the error text ("" on success).
    std::string finish();
    int pid() const { return pid_; }

private:
    PgConnPtr conn_;
    int pid_ = 0;
};

// Polls cond every 100 ms for up to timeout_ms; returns its last value.
bool wait_for(const std::function<bool()>& cond, int timeout_ms = 10000);

} // namespace pga::test
