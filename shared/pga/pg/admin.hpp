// A read-write libpq session for setting up a throwaway cluster (pga-bench --scale): creating
// databases, tables and a statement workload. The collector itself only ever uses the read-only
// pg::Connection.
#pragma once

#include "pga/pg/connection.hpp"

#include <optional>

namespace pga::pg {

class AdminSession {
public:
    // Connects with params (statement_timeout and read-only are not set); throws pg::Error.
    explicit AdminSession(const ConnParams& params);
    ~AdminSession();
    AdminSession(const AdminSession&) = delete;
    AdminSession& operator=(const AdminSession&) = delete;

    // Runs a script of one or more statements (simple query protocol); throws pg::Error naming
    // the statement's error.
    void exec(const std::string& script);
    // Returns the first column of the first row of sql, nullopt for NULL or no row.
    std::optional<std::string> value(const std::string& sql);

private:
    struct Deleter {
        void operator()(pg_conn* c) const;
    };
    std::unique_ptr<pg_conn, Deleter> conn_;
};

} // namespace pga::pg
