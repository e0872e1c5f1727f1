// pg_server.cpp - PgServer and the shared GoogleTest PostgreSQL environment (see pg_server.hpp).
//
// The cluster work is done by tests/harness/pgcluster.sh; this file runs it with posix_spawn,
// parses its KEY='value' output, and talks to the server with libpq. Each server is started with
// --owner-pid so the script's watchdog stops it even when the test binary is killed.
#include "pg_server.hpp"

#include <libpq-fe.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PGA_SOURCE_DIR
#error "PGA_SOURCE_DIR must be defined as the repository root (e.g. -DPGA_SOURCE_DIR=\"/work/main\")"
#endif

extern char** environ;

namespace pga::test {
namespace {

constexpr const char* k_script_path = PGA_SOURCE_DIR "/tests/harness/pgcluster.sh";
constexpr int k_exit_unavailable = 77;
constexpr int k_default_version_major = 15;

struct ScriptResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

struct FdCloser {
    int fd = -1;
    FdCloser() = default;
    explicit FdCloser(int f) : fd(f) {}
    FdCloser(const FdCloser&) = delete;
    FdCloser& operator=(const FdCloser&) = delete;
    ~FdCloser() { reset(); }
    void reset() noexcept {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
};

struct SpawnActions {
    posix_spawn_file_actions_t actions{};
    SpawnActions() { posix_spawn_file_actions_init(&actions); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
};

std::string errno_text(int err) {
    return std::strerror(err);
}

// Runs `bash pgcluster.sh args...`, capturing stdout (pipe) and stderr (temporary file).
ScriptResult run_script(const std::vector<std::string>& args) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pgcluster.sh: pipe: ") + errno_text(errno));
    }
    FdCloser read_end(pipe_fds[0]);
    FdCloser write_end(pipe_fds[1]);
    std::unique_ptr<std::FILE, FileCloser> err_file(std::tmpfile());
    if (!err_file)
        throw std::runtime_error(std::string("pgcluster.sh: tmpfile: ") + errno_text(errno));
    const int err_fd = ::fileno(err_file.get());
    ::fcntl(err_fd, F_SETFD, FD_CLOEXEC);

    SpawnActions sa;
    posix_spawn_file_actions_addopen(&sa.actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&sa.actions, write_end.fd, 1);
    posix_spawn_file_actions_adddup2(&sa.actions, err_fd, 2);

    std::vector<std::string> argv_strings{"bash", k_script_path};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_strings)
        argv.push_back(s.data());
    argv.push_back(nullptr);

    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, "/bin/bash", &sa.actions, nullptr, argv.data(), environ);
    if (rc != 0)
        throw std::runtime_error(std::string("pgcluster.sh: posix_spawn /bin/bash: ") + errno_text(rc));
    write_end.reset();

    ScriptResult result;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(read_end.fd, buf, sizeof buf);
        if (n > 0) {
            result.out.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

    std::rewind(err_file.get());
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, err_file.get())) > 0)
        result.err.append(buf, n);
    return result;
}

std::string trim_right(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
        s.pop_back();
    return s;
}

// Undoes pgcluster.sh's shell quoting: 'abc'\''d' -> abc'd.
std::string shell_unquote(const std::string& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\'') {
            const std::size_t end = v.find('\'', i + 1);
            if (end == std::string::npos)
                throw std::runtime_error("pgcluster.sh output: unterminated quote in " + v);
            out.append(v, i + 1, end - i - 1);
            i = end;
        } else if (v[i] == '\\' && i + 1 < v.size()) {
            out.push_back(v[++i]);
        } else {
            out.push_back(v[i]);
        }
    }
    return out;
}

std::map<std::string, std::string> parse_env_lines(const std::string& text) {
    std::map<std::string, std::string> vars;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (line.empty() || eq == std::string::npos)
            continue;
        vars[line.substr(0, eq)] = shell_unquote(line.substr(eq + 1));
    }
    return vars;
}

const std::string& require_var(const std::map<std::string, std::string>& vars, const std::string& key) {
    const auto it = vars.find(key);
    if (it == vars.end())
        throw std::runtime_error("pgcluster.sh start: output lacks " + key);
    return it->second;
}

int parse_int(const std::string& text, const std::string& what) {
    int value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
        throw std::runtime_error(what + ": expected an integer, got '" + text + "'");
    }
    return value;
}

std::string read_secret(const std::string& path) {
    std::ifstream in(path);
    std::string value;
    if (!in || !std::getline(in, value))
        throw std::runtime_error(path + ": cannot read");
    return trim_right(value);
}

// The "skipped: ..." line of the script's stderr, or all of it.
std::string skip_line(const std::string& err) {
    std::istringstream in(err);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("skipped:", 0) == 0)
            return line;
    }
    return trim_right(err);
}

struct ResultClearer {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClearer>;

std::string param(const ConninfoParams& params, const std::string& key) {
    for (const auto& [k, v] : params) {
        if (k == key)
            return v;
    }
    return {};
}

std::string describe(const ConninfoParams& params) {
    return "user=" + param(params, "user") + " host=" + param(params, "host") + " port=" + param(params, "port") +
           " dbname=" + param(params, "dbname");
}

ResultPtr run(const ConninfoParams& params, const std::string& sql) {
    PgConnPtr conn = connect(params);
    ResultPtr res(PQexec(conn.get(), sql.c_str()));
    const ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        const std::string msg = res ? PQresultErrorMessage(res.get()) : PQerrorMessage(conn.get());
        throw std::runtime_error("sql failed (" + describe(params) + "): " + trim_right(msg));
    }
    return res;
}

// State of the binary-wide server. A function-local static: the at-exit handler is registered
// after it is constructed, so it runs before the object is destroyed.
struct SharedPg {
    std::mutex mutex;
    bool attempted = false;
    std::unique_ptr<PgServer> server;
    std::string skip_reason; // set when the binaries are unavailable
    std::string failure;     // set when the start failed otherwise
};

SharedPg& shared() {
    static SharedPg state;
    return state;
}

void stop_shared_at_exit() {
    stop_shared_pg();
}

void start_shared_locked(SharedPg& s) {
    if (s.attempted)
        return;
    s.attempted = true;
    std::atexit(stop_shared_at_exit);
    try {
        s.server = std::make_unique<PgServer>();
    } catch (const PgUnavailable& e) {
        s.skip_reason = e.what();
    } catch (const std::exception& e) {
        s.failure = std::string("shared PostgreSQL server did not start: ") + e.what();
    }
}

} // namespace

PgConnPtr connect(const ConninfoParams& params) {
    std::vector<const char*> keys;
    std::vector<const char*> values;
    for (const auto& [k, v] : params) {
        keys.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    PgConnPtr conn(PQconnectdbParams(keys.data(), values.data(), 0));
    if (!conn)
        throw std::runtime_error("connect (" + describe(params) + "): out of memory");
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        throw std::runtime_error("connect (" + describe(params) + "): " + trim_right(PQerrorMessage(conn.get())));
    }
    return conn;
}

int requested_version_major() {
    const char* env = std::getenv("PGA_TEST_PG_VERSION");
    if (env == nullptr || *env == '\0')
        return k_default_version_major;
    const int major = parse_int(env, "PGA_TEST_PG_VERSION");
    if (major < 1 || major > 999)
        throw std::runtime_error("PGA_TEST_PG_VERSION: not a PostgreSQL major: " + std::string(env));
    return major;
}

void exec_sql(const ConninfoParams& params, const std::string& sql) {
    run(params, sql);
}

std::string query_value(const ConninfoParams& params, const std::string& sql) {
    ResultPtr res = run(params, sql);
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK || PQntuples(res.get()) < 1 || PQnfields(res.get()) < 1) {
        throw std::runtime_error("query_value (" + describe(params) + "): no row returned by: " + sql);
    }
    if (PQgetisnull(res.get(), 0, 0)) {
        throw std::runtime_error("query_value (" + describe(params) + "): NULL returned by: " + sql);
    }
    return PQgetvalue(res.get(), 0, 0);
}

PgServer::PgServer(int version_major, std::vector<std::string> extra_conf)
    : version_major_(version_major), owner_pid_(::getpid()) {
    const char* tmp_env = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp_env != nullptr && *tmp_env != '\0' ? tmp_env : "/tmp") + "/pga-test-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp " + tmpl + ": " + errno_text(errno));
    }
    dir_ = tmpl;

    std::vector<std::string> args{
        "start", "--dir", dir_, "--version", std::to_string(version_major), "--owner-pid", std::to_string(owner_pid_)};
    for (auto& kv : extra_conf) {
        args.emplace_back("--conf");
        args.push_back(std::move(kv));
    }
    const ScriptResult started = run_script(args);
    if (started.exit_code == k_exit_unavailable) {
        ::rmdir(dir_.c_str());
        throw PgUnavailable(skip_line(started.err));
    }
    if (started.exit_code != 0) {
        run_script({"stop", "--dir", dir_, "--remove"});
        throw std::runtime_error("pgcluster.sh start --version " + std::to_string(version_major) + " failed (exit " +
                                 std::to_string(started.exit_code) + "):\n" + trim_right(started.err));
    }
    if (!started.err.empty())
        std::cerr << started.err;

    try {
        const auto vars = parse_env_lines(started.out);
        data_dir_ = require_var(vars, "PGA_PG_DATA");
        log_dir_ = require_var(vars, "PGA_PG_LOG_DIR");
        bin_dir_ = require_var(vars, "PGA_PG_BIN");
        host_ = require_var(vars, "PGA_PG_HOST");
        port_ = parse_int(require_var(vars, "PGA_PG_PORT"), "PGA_PG_PORT");
        version_major_ = parse_int(require_var(vars, "PGA_PG_VERSION"), "PGA_PG_VERSION");
        superuser_password_ = read_secret(require_var(vars, "PGA_PG_SUPERUSER_PASSWORD_FILE"));
        monitor_password_ = read_secret(require_var(vars, "PGA_PG_MONITOR_PASSWORD_FILE"));
    } catch (...) {
        stop();
        throw;
    }
}

PgServer::~PgServer() {
    stop();
}

void PgServer::stop() noexcept {
    if (stopped_ || ::getpid() != owner_pid_)
        return;
    stopped_ = true;
    try {
        const ScriptResult r = run_script({"stop", "--dir", dir_, "--remove"});
        if (r.exit_code != 0) {
            std::cerr << "warning: pgcluster.sh stop --dir " << dir_ << " failed (exit " << r.exit_code << "):\n"
                      << r.err;
        }
    } catch (const std::exception& e) {
        std::cerr << "warning: stopping PostgreSQL in " << dir_ << ": " << e.what() << "\n";
    }
}

ConninfoParams PgServer::superuser_conninfo_params(const std::string& db) const {
    return {{"host", host_}, {"port", std::to_string(port_)}, {"user", "postgres"}, {"password", superuser_password_},
            {"dbname", db},  {"connect_timeout", "10"}};
}

ConninfoParams PgServer::monitor_conninfo_params(const std::string& db) const {
    return {{"host", "127.0.0.1"},   {"port", std::to_string(port_)},
            {"user", "pga_monitor"}, {"password", monitor_password_},
            {"dbname", db},          {"connect_timeout", "10"}};
}

void PgServer::exec_sql(const std::string& sql, const std::string& db) const {
    pga::test::exec_sql(superuser_conninfo_params(db), sql);
}

std::string PgServer::query_value(const std::string& sql, const std::string& db) const {
    return pga::test::query_value(superuser_conninfo_params(db), sql);
}

PgServer& pg() {
    SharedPg& s = shared();
    std::lock_guard lock(s.mutex);
    start_shared_locked(s);
    if (s.server)
        return *s.server;
    if (!s.skip_reason.empty())
        throw PgUnavailable(s.skip_reason);
    throw std::runtime_error(s.failure.empty() ? "shared PostgreSQL server already stopped" : s.failure);
}

bool pg_available(std::string* skip_reason) {
    SharedPg& s = shared();
    std::lock_guard lock(s.mutex);
    start_shared_locked(s);
    if (s.server)
        return true;
    if (!s.skip_reason.empty()) {
        if (skip_reason != nullptr)
            *skip_reason = s.skip_reason;
        return false;
    }
    throw std::runtime_error(s.failure.empty() ? "shared PostgreSQL server already stopped" : s.failure);
}

void stop_shared_pg() noexcept {
    SharedPg& s = shared();
    std::lock_guard lock(s.mutex);
    if (s.server) {
        s.server->stop();
        s.server.reset();
    }
}

void PgEnvironment::TearDown() {
    stop_shared_pg();
}

void register_pg_environment() {
    static std::once_flag once;
    // GoogleTest takes ownership of the environment.
    std::call_once(once, [] { ::testing::AddGlobalTestEnvironment(std::make_unique<PgEnvironment>().release()); });
}

int pg_exit_code(int gtest_rc) {
    SharedPg& s = shared();
    std::lock_guard lock(s.mutex);
    return gtest_rc == 0 && !s.skip_reason.empty() ? k_exit_unavailable : gtest_rc;
}

void PgTest::SetUp() {
    std::string reason;
    bool available = false;
    try {
        available = pg_available(&reason);
    } catch (const std::exception& e) {
        FAIL() << e.what();
    }
    if (!available)
        GTEST_SKIP() << reason;
}

} // namespace pga::test
