// Read-write set-up session: see admin.hpp.
#include "pga/pg/admin.hpp"

#include "pga/util/strings.hpp"

#include <libpq-fe.h>
#include <vector>

namespace pga::pg {

void AdminSession::Deleter::operator()(pg_conn* c) const {
    PQfinish(c);
}

namespace {

std::string trimmed(const char* message) {
    std::string s = message != nullptr ? message : "unknown error";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return util::escape_control(s);
}

void quiet(void*, const char*) {}

} // namespace

AdminSession::AdminSession(const ConnParams& p) {
    conn_.reset(connect_with(p, {}));
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
        throw Error("cannot connect to " + describe(p) + ": " + trimmed(PQerrorMessage(conn_.get())));
    }
    PQsetNoticeProcessor(conn_.get(), quiet, nullptr);
}

AdminSession::~AdminSession() = default;

void AdminSession::exec(const std::string& script) {
    if (PQsendQuery(conn_.get(), script.c_str()) == 0) {
        throw Error(trimmed(PQerrorMessage(conn_.get())));
    }
    std::string failure;
    while (PGresult* r = PQgetResult(conn_.get())) {
        const auto status = PQresultStatus(r);
        if (failure.empty() && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
            failure = trimmed(PQresultErrorMessage(r));
        }
        PQclear(r);
    }
    if (!failure.empty()) {
        throw Error(failure);
    }
}

std::optional<std::string> AdminSession::value(const std::string& sql) {
    PGresult* raw = PQexec(conn_.get(), sql.c_str());
    const bool ok = PQresultStatus(raw) == PGRES_TUPLES_OK;
    Result r(raw);
    if (!ok) {
        throw Error(trimmed(PQerrorMessage(conn_.get())));
    }
    return r.rows() > 0 && r.columns() > 0 ? r.get(0, 0) : std::nullopt;
}

} // namespace pga::pg
