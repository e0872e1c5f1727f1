// libpq connection wrapper: see connection.hpp.
#include "pga/pg/connection.hpp"

#include "pga/pg/trace.hpp"
#include "pga/util/strings.hpp"
#include "pga/util/uuid.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

namespace pga::pg {

void Connection::Deleter::operator()(pg_conn* c) const {
    PQfinish(c);
}

std::string describe(const ConnParams& p) {
    return "host " + util::escape_control(p.host.empty() ? "(default)" : p.host) + " port " +
           util::escape_control(p.port.empty() ? "(default)" : p.port) + " database \"" +
           util::escape_control(p.dbname) + "\"";
}

namespace {

std::string first_line(const char* message) {
    std::string s = message != nullptr ? message : "unknown error";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return util::escape_control(s);
}

// Routes server notices (and the FATAL message of a terminated idle session) to the debug log
// instead of libpq's default of printing them on stderr.
void log_notice(void*, const char* message) {
    spdlog::debug("postgresql: {}", first_line(message));
}

} // namespace

pg_conn* connect_with(const ConnParams& p, const std::string& options) {
    const std::string timeout = std::to_string(p.connect_timeout_s);
    std::vector<const char*> keys;
    std::vector<const char*> values;
    const auto add = [&](const char* k, const std::string& v) {
        if (!v.empty()) {
            keys.push_back(k);
            values.push_back(v.c_str());
        }
    };
    add("host", p.host);
    add("port", p.port);
    add("user", p.user);
    add("password", p.password.reveal());
    add("dbname", p.dbname);
    add("sslmode", p.sslmode);
    add("connect_timeout", timeout);
    add("application_name", p.application_name);
    add("options", options);
    keys.push_back(nullptr);
    values.push_back(nullptr);
    return PQconnectdbParams(keys.data(), values.data(), 0);
}

Connection::Connection(const ConnParams& p) : database_(p.dbname) {
    const std::string options = "-c statement_timeout=" + std::to_string(p.statement_timeout_ms) +
                                " -c lock_timeout=" + std::to_string(p.lock_timeout_ms) +
                                " -c idle_in_transaction_session_timeout=60000"
                                " -c search_path=pg_catalog -c default_transaction_read_only=on";
    conn_.reset(connect_with(p, options));
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
        throw Error("cannot connect to " + describe(p) + ": " + first_line(PQerrorMessage(conn_.get())));
    }
    server_version_ = PQserverVersion(conn_.get());
    PQsetNoticeProcessor(conn_.get(), log_notice, nullptr);
}

Connection::~Connection() = default;

namespace {
std::atomic<QueryObserver*> g_observer{nullptr};
} // namespace

void set_query_observer(QueryObserver* observer) {
    g_observer.store(observer);
}

QueryObserver* query_observer() {
    return g_observer.load();
}

Result Connection::query(std::string_view sql, const Params& params) {
    if (QueryObserver* observer = g_observer.load(std::memory_order_relaxed)) {
        observer->on_query(database_, sql, params);
    }
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
        values.push_back(p ? p->c_str() : nullptr);
    }
    PGresult* raw = execute(std::string(sql), values);
    Result result(raw);
    const auto status = PQresultStatus(raw);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
        const char* primary = PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY);
        throw Error(first_line(primary != nullptr ? primary : PQerrorMessage(conn_.get())),
                    state != nullptr ? state : "");
    }
    return result;
}

namespace {

// At most this many statements are remembered per connection (those seen once are forgotten to
// make room) and this many prepared: a statement whose text changes every time never fills it.
constexpr std::size_t k_statements_max = 128;
constexpr int k_prepared_max = 64;

std::string_view error_field(const PGresult* r, int field) {
    const char* value = PQresultErrorField(r, field);
    return value != nullptr ? value : "";
}

bool failed(const PGresult* r) {
    const auto status = PQresultStatus(r);
    return status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK;
}

// Returns true for statements worth preparing: queries (and cursors over them), which the server
// parses, analyses and plans. Transaction control and FETCH have nothing to plan, and a failure to
// prepare them inside a transaction would abort it.
bool preparable(std::string_view sql) {
    const auto start = sql.find_first_not_of(" \t\r\n(");
    if (start == std::string_view::npos) {
        return false;
    }
    const auto word = sql.substr(start, sql.find_first_of(" \t\r\n(", start) - start);
    const auto is = [&](std::string_view keyword) {
        return word.size() == keyword.size() &&
               std::equal(word.begin(), word.end(), keyword.begin(),
                          [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    };
    return is("select") || is("with") || is("values") || is("declare");
}

// Returns this connection's statement name prefix: random, so a server session that a pooler
// shares with other clients (or our other connections) can never hold another statement under one
// of our names; "" (nothing prepared) when no random bytes can be had.
std::string statement_prefix() {
    try {
        auto id = util::uuid_v4();
        std::erase(id, '-');
        return "pga_" + id.substr(0, 16) + "_";
    } catch (const std::exception&) {
        return "";
    }
}

} // namespace

PGresult* Connection::run_unnamed(const std::string& sql, const std::vector<const char*>& values) {
    return PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                        nullptr, 0);
}

PGresult* Connection::execute_unnamed(const std::string& sql, const std::vector<const char*>& values) {
    if (statements_.size() >= k_statements_max) {
        std::erase_if(statements_, [](const auto& e) { return e.second.name.empty() && !e.second.unnamed_only; });
    }
    if (statements_.size() < k_statements_max) {
        statements_.try_emplace(sql);
    }
    return run_unnamed(sql, values);
}

PGresult* Connection::execute(const std::string& sql, const std::vector<const char*>& values) {
    if (!prepare_ || !preparable(sql)) {
        return run_unnamed(sql, values);
    }
    const auto it = statements_.find(sql);
    if (it == statements_.end() || it->second.unnamed_only ||
        (it->second.name.empty() && prepared_ >= k_prepared_max)) {
        return execute_unnamed(sql, values);
    }
    Statement& s = it->second;
    const int n = static_cast<int>(values.size());
    if (s.name.empty()) {
        if (prefix_.empty() && (prefix_ = statement_prefix()).empty()) {
            prepare_ = false; // no random bytes for unique names: nothing is prepared
            return run_unnamed(sql, values);
        }
        auto name = prefix_ + std::to_string(prepared_ + 1);
        PGresult* prepared = PQprepare(conn_.get(), name.c_str(), sql.c_str(), n, nullptr);
        if (failed(prepared)) {
            return recover(prepared, s, sql, values);
        }
        PQclear(prepared);
        s.name = std::move(name);
        ++prepared_;
    }
    PGresult* r = PQexecPrepared(conn_.get(), s.name.c_str(), n, values.data(), nullptr, nullptr, 0);
    return failed(r) ? recover(r, s, sql, values) : r;
}

PGresult* Connection::recover(PGresult* failed_result, Statement& s, const std::string& sql,
                              const std::vector<const char*>& values) {
    const auto state = error_field(failed_result, PG_DIAG_SQLSTATE);
    // 26000: our statement is gone; 42P05: the name is taken (a transaction pooler hands us
    // another server session). 0A000 from RevalidateCachedQuery, "cached plan must not change
    // result type": what the statement reads changed shape (an extension update). Any other 0A000
    // is the statement's own failure, which a rerun would only repeat.
    const bool names_lost = state == "26000" || state == "42P05";
    const bool reshaped = state == "0A000" && !s.name.empty() &&
                          error_field(failed_result, PG_DIAG_SOURCE_FUNCTION) == "RevalidateCachedQuery";
    if (!names_lost && !reshaped) {
        return failed_result;
    }
    if (names_lost) {
        spdlog::debug("postgresql: prepared statements unavailable on this connection ({}); running unnamed", state);
        prepare_ = false;
        statements_.clear();
    } else {
        s.unnamed_only = true;
    }
    if (PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) {
        return failed_result; // the failure aborted an open transaction: nothing to rerun in
    }
    PQclear(failed_result);
    if (reshaped) { // give the server its plan back (the name is ours alone: see statement_prefix)
        PQclear(PQexec(conn_.get(), ("DEALLOCATE " + s.name).c_str()));
    }
    return run_unnamed(sql, values);
}

bool Connection::healthy() {
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
        return false;
    }
    // A server-side close (admin shutdown, idle timeout) shows up as readable data or EOF on the
    // idle socket: consume it and re-check the status.
    pollfd pfd{PQsocket(conn_.get()), POLLIN, 0};
    if (pfd.fd < 0) {
        return false;
    }
    // A terminated backend first sends its FATAL message, then closes: keep reading until the
    // socket is quiet so the close itself is seen.
    bool saw_input = false;
    int ready = 0;
    for (int i = 0; i < 8 && (ready = ::poll(&pfd, 1, 0)) > 0; ++i) {
        saw_input = true;
        if (PQconsumeInput(conn_.get()) == 0) {
            return false;
        }
        (void)PQisBusy(conn_.get()); // parses what arrived (an asynchronous error marks the connection bad)
        while (PGnotify* n = PQnotifies(conn_.get())) {
            PQfreemem(n);
        }
    }
    // We never LISTEN, so anything that arrived on an idle connection is the server talking to us
    // on its way out (a FATAL before the close): treat the connection as broken and replace it.
    // (The last poll's answer is enough: asking again would only catch data that came meanwhile.)
    const bool had_input = saw_input || ready != 0;
    return !had_input && PQstatus(conn_.get()) == CONNECTION_OK && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
}

void Connection::cancel() {
    PGcancel* c = PQgetCancel(conn_.get());
    if (c != nullptr) {
        std::array<char, 256> err{};
        PQcancel(c, err.data(), static_cast<int>(err.size()));
        PQfreeCancel(c);
    }
}

int Connection::backend_pid() const {
    return PQbackendPID(conn_.get());
}

std::string Connection::quote_identifier(std::string_view name) {
    char* q = PQescapeIdentifier(conn_.get(), name.data(), name.size());
    if (q == nullptr) {
        throw Error("cannot quote identifier: " + first_line(PQerrorMessage(conn_.get())));
    }
    std::string out(q);
    PQfreemem(q);
    return out;
}

} // namespace pga::pg
