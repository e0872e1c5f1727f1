// The throwaway benchmark cluster: see cluster.hpp.
#include "pga/cli/bench/cluster.hpp"

#include "pga/pg/admin.hpp"
#include "pga/util/files.hpp"
#include "pga/util/subprocess.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <pwd.h>
#include <stdexcept>
#include <unistd.h>

namespace pga::cli::bench {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_server_user = "postgres"; // the server programs refuse to run as root

fs::path find_bin(const std::string& pg_bin) {
    if (!pg_bin.empty()) {
        if (!fs::exists(fs::path(pg_bin) / "initdb")) {
            throw std::runtime_error("--pg-bin " + pg_bin + ": no initdb there");
        }
        return pg_bin;
    }
    std::vector<std::pair<int, fs::path>> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const auto bin = entry.path() / "bin";
        const auto name = entry.path().filename().string();
        if (fs::exists(bin / "initdb") && !name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) {
            found.emplace_back(std::stoi(name), bin);
        }
    }
    if (!found.empty()) {
        return std::max_element(found.begin(), found.end())->second;
    }
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const auto end = std::min(dirs.find(':', start), dirs.size());
        const fs::path dir = dirs.substr(start, end - start);
        if (!dir.empty() && fs::exists(dir / "initdb")) {
            return dir;
        }
        start = end + 1;
    }
    throw std::runtime_error("no PostgreSQL server programs found (initdb): install postgresql or pass --pg-bin");
}

std::string tail(const fs::path& file, std::size_t lines) {
    std::ifstream in(file);
    std::vector<std::string> all;
    for (std::string line; std::getline(in, line);) {
        all.push_back(line);
    }
    std::string out;
    for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
        out += (out.empty() ? "" : " | ") + all[i];
    }
    return out;
}

} // namespace

std::string check(const ScaleSpec& s) {
    if (s.databases < 1 || s.databases > 1000) {
        return "--scale must be between 1 and 1000 databases";
    }
    if (s.tables < 1 || s.tables > 1000) {
        return "--tables must be between 1 and 1000";
    }
    if (s.rows < 0 || s.rows > 10000000) {
        return "--rows must be between 0 and 10000000";
    }
    if (s.statements < 0 || s.statements > 1000000) {
        return "--statements must be between 0 and 1000000";
    }
    return "";
}

std::string database_name(int i) {
    char name[32];
    std::snprintf(name, sizeof name, "bench_%03d", i + 1);
    return name;
}

std::string workload_statement(int j, int tables) {
    std::string sql = "SELECT count(*) FROM t_" + std::to_string(j % tables + 1) + " WHERE v > 0";
    for (int d = j / tables; d > 0; --d) {
        sql += " + 1";
    }
    return sql;
}

ThrowawayCluster::ThrowawayCluster(const ScaleSpec& spec, const std::string& pg_bin, bool keep, std::ostream& progress)
    : spec_(spec), bin_(find_bin(pg_bin)), keep_(keep) {
    std::string templ = (fs::temp_directory_path() / "pga-bench-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) {
        throw std::runtime_error("cannot create a temporary directory: " + util::errno_text());
    }
    dir_ = templ;
    if (::geteuid() == 0) {
        const passwd* pw = ::getpwnam(k_server_user);
        if (pw == nullptr) {
            fs::remove_all(dir_);
            throw std::runtime_error("running as root needs a `postgres` user to run the server as");
        }
        if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
            fs::remove_all(dir_);
            throw std::runtime_error("cannot chown " + dir_.string() + ": " + util::errno_text());
        }
        run_as_ = {"runuser", "-u", k_server_user, "--"};
    }
    progress << "pga-bench: building a throwaway cluster in " << dir_.string() << " (" << spec_.databases
             << " databases, " << spec_.tables << " tables each, " << spec_.statements << " statements) with "
             << bin_.string() << "\n";
    try {
        run({(bin_ / "initdb").string(), "-D", (dir_ / "data").string(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--no-sync"},
            "initdb");
        configure();
        run({(bin_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-l", (dir_ / "server.log").string(), "-w",
             "-t", "120", "start"},
            "server start");
        started_ = true;
        try {
            populate(progress);
        } catch (const std::exception& e) {
            fail("filling the cluster", e.what());
        }
    } catch (...) {
        cleanup(); // a constructor that throws runs no destructor
        throw;
    }
}

ThrowawayCluster::~ThrowawayCluster() {
    cleanup();
}

void ThrowawayCluster::cleanup() noexcept {
    try {
        if (started_) {
            started_ = false;
            run({(bin_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "fast", "-w", "stop"},
                "server stop");
        }
    } catch (const std::exception&) {
        // nothing more to do: the directory is removed below (or kept on request)
    }
    if (!keep_) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
}

void ThrowawayCluster::run(const std::vector<std::string>& argv, const std::string& step) {
    auto full = run_as_;
    full.insert(full.end(), argv.begin(), argv.end());
    const int rc = util::run_program(full, dir_ / "setup.log");
    if (rc != 0) {
        fail(step, util::describe_argv(argv) + " exited with " + std::to_string(rc));
    }
}

void ThrowawayCluster::fail(const std::string& step, const std::string& why) {
    std::string log = tail(dir_ / "setup.log", 3);
    const auto server = tail(dir_ / "server.log", 3);
    if (!server.empty()) {
        log += (log.empty() ? "" : " | ") + server;
    }
    throw std::runtime_error("throwaway cluster: " + step + " failed: " + why + (log.empty() ? "" : " (" + log + ")"));
}

void ThrowawayCluster::configure() {
    const int tracked = std::max(5000, spec_.statements * 2 + 1000);
    std::ofstream conf(dir_ / "data" / "postgresql.conf", std::ios::app);
    conf << "\n# pga-bench throwaway cluster\n"
         << "listen_addresses = ''\n"
         << "port = 5432\n"
         << "unix_socket_directories = '" << dir_.string() << "'\n"
         << "max_connections = " << spec_.max_connections << "\n"
         << "shared_preload_libraries = 'pg_stat_statements'\n"
         << "pg_stat_statements.max = " << tracked << "\n"
         << "pg_stat_statements.track_utility = off\n"
         << "track_io_timing = on\n"
         << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
         << "logging_collector = on\nlog_directory = 'log'\n";
    if (!conf) {
        fail("configure", "cannot write postgresql.conf");
    }
}

pg::ConnParams ThrowawayCluster::admin_params() const {
    pg::ConnParams p;
    p.host = dir_.string();
    p.port = "5432";
    p.user = "postgres";
    p.dbname = "postgres";
    p.application_name = "pga-bench-setup";
    return p;
}

pg::ConnParams ThrowawayCluster::monitor_params() const {
    auto p = admin_params();
    p.user = k_monitor_role;
    p.application_name = "pganalytics";
    return p;
}

std::vector<std::string> ThrowawayCluster::databases() const {
    std::vector<std::string> out;
    for (int i = 0; i < spec_.databases; ++i) {
        out.push_back(database_name(i));
    }
    return out;
}

void ThrowawayCluster::populate(std::ostream& progress) {
    pg::AdminSession admin(admin_params());
    admin.exec("CREATE EXTENSION pg_stat_statements; CREATE ROLE " + std::string(k_monitor_role) +
               " LOGIN; GRANT pg_monitor TO " + k_monitor_role);
    std::string tables;
    for (int t = 1; t <= spec_.tables; ++t) {
        const auto name = "t_" + std::to_string(t);
        tables += "CREATE TABLE " + name + " (id int PRIMARY KEY, v int NOT NULL, pad text); CREATE INDEX ON " + name +
                  " (v); INSERT INTO " + name + " SELECT g, g % 1000, md5(g::text) FROM generate_series(1, " +
                  std::to_string(spec_.rows) + ") g; ";
    }
    tables += "ANALYZE;";
    for (const auto& db : databases()) {
        admin.exec("CREATE DATABASE " + db);
        auto p = admin_params();
        p.dbname = db;
        pg::AdminSession s(p);
        s.exec(tables);
    }
    admin.exec("SELECT pg_stat_statements_reset()");
    const int n = spec_.databases;
    for (int i = 0; i < n; ++i) {
        const int count = spec_.statements / n + (i < spec_.statements % n ? 1 : 0);
        auto p = admin_params();
        p.dbname = database_name(i);
        pg::AdminSession s(p);
        std::string batch;
        for (int j = 0; j < count; ++j) {
            batch += workload_statement(j, spec_.tables) + ";";
            if (batch.size() > 64 * 1024 || j + 1 == count) {
                s.exec(batch);
                batch.clear();
            }
        }
    }
    statements_tracked_ = std::stol(admin.value("SELECT count(*) FROM pg_stat_statements").value_or("0"));
    progress << "pga-bench: cluster ready: " << n << " databases, " << statements_tracked_
             << " statements in pg_stat_statements\n";
}

} // namespace pga::cli::bench
