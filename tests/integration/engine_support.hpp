// Support for the collection engine's integration tests: a configuration pointed at the shared
// server as pga_monitor with only the four core metric types, a sink that keeps the batches, SQL
// identifier quoting for test set-up, scratch directories, and running the pganalytics binary.
#pragma once

#include "harness/pg_server.hpp"
#include "pga/collect/batch.hpp"
#include "pga/config/config.hpp"
#include "pga/pg/pool.hpp"

#include <mutex>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pga::test {

// The four metric types of the core engine.
inline const std::vector<std::string> k_core_types = {"pg_query_stats", "pg_stats", "sysstat", "disk_usage"};

// Returns a configuration for server as pga_monitor over TCP, state in state_dir, monitoring
// databases (empty: discovery), with only the core types enabled.
config::Config engine_config(const PgServer& server, const std::string& state_dir,
                             const std::vector<std::string>& databases);

// Keeps every batch it is given.
class CaptureSink final : public collect::BatchSink {
public:
    void accept(collect::Batch batch) override;
    nlohmann::json status() const override { return {{"sink", "capture"}}; }
    std::vector<collect::Batch> batches() const;

private:
    mutable std::mutex mutex_;
    std::vector<collect::Batch> batches_;
};

// Returns the metric objects of batch with this type and database ("" = any, or none for
// cluster-wide objects when cluster_wide is true).
std::vector<nlohmann::json> objects(const collect::Batch& batch, const std::string& type,
                                    const std::string& database = "");

// Returns name quoted as an SQL identifier (for test set-up statements only).
std::string ident(const std::string& name);

// Drops (if present) and creates database name on server.
void recreate_database(const PgServer& server, const std::string& name);

// Creates database name on server unless it exists (kept across tests).
void ensure_database(const PgServer& server, const std::string& name);

// Returns a new empty directory under the system temp dir.
std::string scratch_dir(const std::string& tag);

// Writes text to path with mode 0600.
void write_file(const std::string& path, const std::string& text);

// Returns the TOML of config's connection and collector sections (for the binary's tests).
std::string engine_toml(const PgServer& server, const std::string& state_dir, int interval_s);

// The pganalytics binary of this build.
std::string pganalytics_binary();

// Starts argv with stdout and stderr redirected to files; returns the pid.
pid_t spawn(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path);

// Waits up to timeout_ms for pid to exit; returns its exit code, or -1 on timeout (pid then killed).
int wait_exit(pid_t pid, int timeout_ms);

// Counts the backends in pg_stat_activity matching the SQL condition `filter` whose client still
// holds its connection: a backend stays listed for the moment it takes to exit after its client
// closed the connection, so a row counts only while the client's end of its loopback TCP
// connection (client_port to the server's port, in /proc/net/tcp) is ESTABLISHED. For caps
// counted on the server.
int held_connections(const PgServer& server, const std::string& filter);

// Expects a quiet pool's counters to account for every borrow and connection: each borrow served
// by a new or a reused connection, none failed or still in use, and every connection not left
// idle closed. For tests whose reuse count depends on scheduling (threads contending at the cap).
void expect_every_connection_accounted_for(const pg::PoolStats& s);

// Returns the number of complete top-level JSON documents in a file of concatenated documents.
int count_json_documents(const std::string& path);

} // namespace pga::test
