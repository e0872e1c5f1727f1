// A libpq connection (RAII) built from keyword/value arrays, never from a concatenated string.
// Every session is read-only and sets application_name, statement_timeout, lock_timeout and
// search_path=pg_catalog at connect time. A query run a second time on a connection is
// prepared then and run by name from there on: the server parses and rewrites it once per
// connection instead of every cycle, and may keep a generic plan (docs/benchmarks.md). Behind a
// pooler that loses or shares statement names the connection falls back to unnamed statements.
#pragma once

#include "pga/pg/session.hpp"
#include "pga/util/secret.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

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

    // Returns the number of statements prepared on this connection.
    int prepared_statements() const { return prepared_; }

private:
    struct Deleter {
        void operator()(pg_conn* c) const;
    };
    // A statement run on this connection: name is set once it is prepared.
    struct Statement {
        std::string name;
        bool unnamed_only = false; // its cached plan changed result type: always run unnamed
    };
    // Runs sql, by name when it has been run before; returns libpq's result (maybe an error).
    pg_result* execute(const std::string& sql, const std::vector<const char*>& values);
    // Runs sql as an unnamed statement.
    pg_result* run_unnamed(const std::string& sql, const std::vector<const char*>& values);
    // Runs sql as an unnamed statement, remembering it (first sight) when there is room (only
    // while preparing is on).
    pg_result* execute_unnamed(const std::string& sql, const std::vector<const char*>& values);
    // Handles a failure to prepare or run a named statement: returns an unnamed rerun when that is
    // safe (the server lost or shares statement names, or the cached plan changed result type, and
    // no transaction is open), else failed itself.
    pg_result* recover(pg_result* failed, Statement& s, const std::string& sql, const std::vector<const char*>& values);

    std::unique_ptr<pg_conn, Deleter> conn_;
    std::string database_;
    int server_version_ = 0;
    std::unordered_map<std::string, Statement> statements_;
    int prepared_ = 0;
    std::string prefix_;  // random per connection: "pga_<16 hex>_"
    bool prepare_ = true; // false once the server lost or shared a statement name (a transaction pooler)
};

// Returns a description "host H port P database D" for error messages (escaped, no secrets).
std::string describe(const ConnParams& params);

// Opens a libpq connection from keyword/value arrays (expand_dbname = 0): host, port, user,
// password, dbname, sslmode, connect_timeout, application_name and `options` when not empty.
// Returns the handle whatever its status (the caller checks PQstatus and frees it); may be null.
pg_conn* connect_with(const ConnParams& params, const std::string& options);

} // namespace pga::pg
