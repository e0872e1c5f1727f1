// pg_server.hpp - throwaway PostgreSQL servers for pganalytics integration tests.
//
// PgServer starts a private cluster through tests/harness/pgcluster.sh (found via the compile
// definition PGA_SOURCE_DIR, the repository root) and stops and deletes it when destroyed. For one
// server shared by a whole test binary, derive fixtures from PgTest (or start a test with
// PGA_REQUIRE_PG()) and use pg(); register PgEnvironment with register_pg_environment() so the
// server is stopped after the last test. The major comes from env PGA_TEST_PG_VERSION (default 15);
// when its binaries cannot be obtained every test using the shared server is skipped with the reason.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace pga::test {

// Keyword/value pairs for PQconnectdbParams with expand_dbname = 0.
using ConninfoParams = std::vector<std::pair<std::string, std::string>>;

// Thrown when the requested major's binaries cannot be obtained (pgcluster.sh exit 77);
// what() is the script's "skipped: PostgreSQL N binaries unavailable: <reason>" line.
class PgUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The major named by env PGA_TEST_PG_VERSION, 15 when unset. Throws std::runtime_error if malformed.
int requested_version_major();

struct PgConnCloser {
    void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
// A libpq connection closed when the pointer goes.
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;

// Opens a connection with params (keyword/value, expand_dbname = 0); throws std::runtime_error
// carrying user, host, port, dbname and the server's message when it fails.
PgConnPtr connect(const ConninfoParams& params);

// Runs SQL (several statements allowed) on a new connection; throws std::runtime_error carrying
// the server's message on connection or statement failure.
void exec_sql(const ConninfoParams& params, const std::string& sql);

// Runs SQL on a new connection and returns the first column of the first row. Throws
// std::runtime_error on failure, when there is no row or column, or when the value is NULL.
std::string query_value(const ConninfoParams& params, const std::string& sql);

// One running PostgreSQL cluster in its own temporary directory, owned by this object.
// Superuser `postgres` (trust over the socket, password over TCP), role `pga_monitor` (password,
// member of pg_monitor, not superuser), pg_stat_statements preloaded and created in postgres and
// template1. Not copyable or movable; the const methods are safe to call from several threads.
class PgServer {
public:
    // Starts a fresh cluster of the given major; extra_conf items are postgresql.conf "key=value"
    // settings applied last. Throws PgUnavailable when the binaries cannot be obtained, and
    // std::runtime_error (with the script's stderr and the server log tail) on any other failure.
    explicit PgServer(int version_major = requested_version_major(), std::vector<std::string> extra_conf = {});
    // Stops the server and deletes its directory; never throws.
    ~PgServer();

    PgServer(const PgServer&) = delete;
    PgServer& operator=(const PgServer&) = delete;
    PgServer(PgServer&&) = delete;
    PgServer& operator=(PgServer&&) = delete;

    int port() const noexcept { return port_; }
    // Directory holding the server's unix socket (libpq `host`).
    const std::string& host() const noexcept { return host_; }
    int version_major() const noexcept { return version_major_; }
    // Cluster directory (data/, log/, env.sh, password files); deleted by stop().
    const std::string& dir() const noexcept { return dir_; }
    const std::string& data_dir() const noexcept { return data_dir_; }
    // Where logging_collector writes the server log files.
    const std::string& log_dir() const noexcept { return log_dir_; }
    // Directory of initdb, pg_ctl and postgres for this major.
    const std::string& bin_dir() const noexcept { return bin_dir_; }
    const std::string& superuser_password() const noexcept { return superuser_password_; }
    const std::string& monitor_password() const noexcept { return monitor_password_; }

    // Superuser `postgres` over the unix socket (host, port, user, password, dbname, connect_timeout).
    ConninfoParams superuser_conninfo_params(const std::string& db = "postgres") const;
    // `pga_monitor` over TCP 127.0.0.1 with its password.
    ConninfoParams monitor_conninfo_params(const std::string& db = "postgres") const;

    // Runs SQL as the superuser; throws std::runtime_error with the server message on failure.
    void exec_sql(const std::string& sql, const std::string& db = "postgres") const;
    // Runs SQL as the superuser and returns the first column of the first row; throws
    // std::runtime_error on failure, no row, or NULL.
    std::string query_value(const std::string& sql, const std::string& db = "postgres") const;

    // Stops the server and deletes its directory now; idempotent, never throws. Does nothing in a
    // forked child (death tests), which does not own the server.
    void stop() noexcept;

private:
    std::string dir_;
    std::string data_dir_;
    std::string log_dir_;
    std::string bin_dir_;
    std::string host_;
    std::string superuser_password_;
    std::string monitor_password_;
    int port_ = 0;
    int version_major_ = 0;
    pid_t owner_pid_ = 0;
    bool stopped_ = false;
};

// The server shared by the test binary, started on first use with requested_version_major().
// Throws PgUnavailable (binaries unavailable) or std::runtime_error (start failed; later calls
// rethrow the same message without retrying).
PgServer& pg();

// Starts the shared server if needed; returns false (and fills *skip_reason) when PostgreSQL is
// unavailable. Throws std::runtime_error when the start failed for another reason.
bool pg_available(std::string* skip_reason = nullptr);

// Stops the shared server now (also done by PgEnvironment::TearDown and at exit); idempotent.
void stop_shared_pg() noexcept;

// Stops the shared server after the last test, also when tests failed.
class PgEnvironment : public ::testing::Environment {
public:
    void TearDown() override;
};

// Registers one PgEnvironment with GoogleTest (idempotent). Call before RUN_ALL_TESTS().
void register_pg_environment();

// Maps RUN_ALL_TESTS()'s result for a custom main: 77 when everything else passed but the shared
// server was unavailable (pair with CTest SKIP_RETURN_CODE 77), else gtest_rc unchanged.
int pg_exit_code(int gtest_rc);

// Fixture base for integration tests: skips the test when PostgreSQL is unavailable and fails it
// when the shared server could not start.
class PgTest : public ::testing::Test {
protected:
    void SetUp() override;
    static PgServer& server() { return pg(); }
};

} // namespace pga::test

// First statement of an integration test not using PgTest: skips when PostgreSQL is unavailable.
#define PGA_REQUIRE_PG()                                                                                               \
    do {                                                                                                               \
        std::string pga_skip_reason_;                                                                                  \
        if (!::pga::test::pg_available(&pga_skip_reason_)) {                                                           \
            GTEST_SKIP() << pga_skip_reason_;                                                                          \
        }                                                                                                              \
    } while (0)
