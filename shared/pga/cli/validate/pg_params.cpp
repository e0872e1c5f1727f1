// Connection parameters from the configuration: see pg_params.hpp.
#include "pga/cli/validate/pg_params.hpp"

namespace pga::cli::validate {

pg::ConnParams conn_params(const config::Config& config, const std::string& dbname, const std::string& tool) {
    const auto& pgc = config.postgresql;
    pg::ConnParams p;
    p.host = pgc.host;
    p.port = std::to_string(pgc.port);
    p.user = pgc.user;
    p.password = pgc.password;
    p.dbname = dbname.empty() ? pgc.database : dbname;
    p.sslmode = pgc.sslmode;
    p.connect_timeout_s = static_cast<int>(pgc.connect_timeout_s);
    p.statement_timeout_ms = static_cast<int>(pgc.statement_timeout_ms);
    p.lock_timeout_ms = static_cast<int>(pgc.lock_timeout_ms);
    p.application_name = tool;
    return p;
}

std::string connect_hint(const config::Config& config, const std::string& message) {
    const auto& pgc = config.postgresql;
    if (message.find("password authentication failed") != std::string::npos ||
        message.find("no password supplied") != std::string::npos) {
        return "check the password of role " + pgc.user +
               " (postgresql.password_file, postgresql.password, PGPASSWORD or ~/.pgpass)";
    }
    if (message.find("does not exist") != std::string::npos) {
        return "check postgresql.user and postgresql.database, or create them";
    }
    if (message.find("pg_hba.conf") != std::string::npos) {
        return "add a pg_hba.conf line allowing role " + pgc.user + " from this host";
    }
    if (message.find("refused") != std::string::npos || message.find("No such file") != std::string::npos ||
        message.find("timeout") != std::string::npos) {
        return "is PostgreSQL running and listening on " + pgc.host + " port " + std::to_string(pgc.port) +
               "? check postgresql.host and postgresql.port";
    }
    return "";
}

} // namespace pga::cli::validate
