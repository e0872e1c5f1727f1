// The database seam: what collectors need from a PostgreSQL session. The real implementation is
// pg::Connection (libpq); unit tests use a scripted fake.
#pragma once

#include "pga/pg/result.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pga::pg {

using Params = std::vector<std::optional<std::string>>;

// A failed query or connection; sqlstate is "" when the failure was not reported by the server.
class Error : public std::runtime_error {
public:
    Error(const std::string& message, std::string sqlstate = "")
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const { return sqlstate_; }

private:
    std::string sqlstate_;
};

class Session {
public:
    virtual ~Session() = default;
    // Runs sql with $1.. bound to params (text); returns any number of rows; throws pg::Error.
    virtual Result query(std::string_view sql, const Params& params = {}) = 0;
    // Returns server_version_num (e.g. 150004).
    virtual int server_version() const = 0;
    // Returns the database this session is connected to.
    virtual const std::string& database() const = 0;
    // Returns name quoted as an SQL identifier (doubling embedded quotes); throws pg::Error.
    virtual std::string quote_identifier(std::string_view name) {
        std::string out = "\"";
        for (const char c : name) {
            out += c == '"' ? std::string("\"\"") : std::string(1, c);
        }
        return out + "\"";
    }

    // Returns the single value of a one-row, one-column query (nullopt for NULL or no row).
    std::optional<std::string> value(std::string_view sql, const Params& params = {}) {
        const Result r = query(sql, params);
        return r.rows() > 0 && r.columns() > 0 ? r.get(0, 0) : std::nullopt;
    }
};

} // namespace pga::pg
