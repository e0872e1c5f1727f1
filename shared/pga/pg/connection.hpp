// A libpq connection (RAII) built from keyword/value arrays, never from a concatenated string.
// Every session is read-only and sets application_name, statement_timeout, lock_timeout and
// search_path=pg_catalog at connect time.
#pragma once

#include "pga/pg/session.hpp"
#include "pga/util/secret.hpp"

#include <chrono>
#include <memory>
#include <string>

struct pg_conn;

namespace pga::pg {

struct ConnParams {
    std::string host;
    std::string port;
    std::string user;
    util::Secret password; // empty: libpq falls back to PGPASSWORD / ~/.pgpass
    std::string dbname;
    std::string sslmode = "prefer";
    int connect_timeout_s = 10;
    int statement_timeout_ms = 30000;
    int lock_timeout_ms = 1000;
    std::string application_name = "pganalytics";
};

class Connection final : public Session {
public:
    // Connects; throws pg::Error whose message names host, port and database (never the password).
    explicit Connection(const ConnParams& params);
    ~Connection() override;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    Result query(std::string_view sql, const Params& params = {}) override;
    int server_version() const override { return server_version_; }
    const std::string& database() const override { return database_; }

    // Returns true when the socket is still usable (no error state, not closed by the server).
    bool healthy();
    // Asks the server to cancel the running query (thread-safe; used by collector time budgets).
    void cancel();
    // Returns the backend process id.
    int backend_pid() const;
    // Returns name quoted as an SQL identifier (PQescapeIdentifier).
    std::string quote_identifier(std::string_view name) override;

private:
    struct Deleter {
        void operator()(pg_conn* c) const;
    };
    std::unique_ptr<pg_conn, Deleter> conn_;
    std::string database_;
    int server_version_ = 0;
};

// Returns a description "host H port P database D" for error messages (escaped, no secrets).
std::string describe(const ConnParams& params);

// Opens a libpq connection from keyword/value arrays (expand_dbname = 0): host, port, user,
// password, dbname, sslmode, connect_timeout, application_name and `options` when not empty.
// Returns the handle whatever its status (the caller checks PQstatus and frees it); may be null.
pg_conn* connect_with(const ConnParams& params, const std::string& options);

} // namespace pga::pg
