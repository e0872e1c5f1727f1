// Support for the collection engine's integration tests: see engine_support.hpp.
#include "engine_support.hpp"

#include "pga/cli/common.hpp"
#include "pga/config/options.hpp"
#include "pga/util/files.hpp"
#include "pga/util/uuid.hpp"

#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace pga::test {

config::Config engine_config(const PgServer& server, const std::string& state_dir,
                             const std::vector<std::string>& databases) {
    auto c = config::default_config(cli::registered_metrics());
    for (auto& [name, m] : c.metrics) {
        m.enabled = std::find(k_core_types.begin(), k_core_types.end(), name) != k_core_types.end();
        m.timeout_s = 20;
    }
    c.collector.id = "engine-test";
    c.collector.hostname = "engine-test-host";
    c.collector.state_dir = state_dir;
    c.collector.log_file = "";
    c.postgresql.host = "127.0.0.1";
    c.postgresql.port = server.port();
    c.postgresql.user = "pga_monitor";
    c.postgresql.password = util::Secret(server.monitor_password(), "test");
    c.postgresql.sslmode = "disable";
    c.postgresql.databases = databases;
    c.postgresql.pool_min_size = 0;
    c.threading.thread_pool_size = 2;
    return c;
}

void CaptureSink::accept(collect::Batch batch) {
    std::lock_guard lock(mutex_);
    batches_.push_back(std::move(batch));
}

std::vector<collect::Batch> CaptureSink::batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
}

std::vector<nlohmann::json> objects(const collect::Batch& batch, const std::string& type, const std::string& database) {
    std::vector<nlohmann::json> out;
    for (const auto& metric : batch.metrics) {
        const auto m = metric.parse();
        if (m.value("type", "") == type && (database.empty() || m.value("database", "") == database)) {
            out.push_back(m);
        }
    }
    return out;
}

std::string ident(const std::string& name) {
    std::string out = "\"";
    for (const char c : name) {
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return out + "\"";
}

void recreate_database(const PgServer& server, const std::string& name) {
    server.exec_sql("DROP DATABASE IF EXISTS " + ident(name) + " WITH (FORCE)");
    server.exec_sql("CREATE DATABASE " + ident(name));
}

void ensure_database(const PgServer& server, const std::string& name) {
    std::string literal = "'";
    for (const char c : name) {
        literal += c == '\'' ? std::string("''") : std::string(1, c);
    }
    literal += '\'';
    if (server.query_value("SELECT count(*) FROM pg_catalog.pg_database WHERE datname = " + literal) == "0") {
        server.exec_sql("CREATE DATABASE " + ident(name));
    }
}

std::string scratch_dir(const std::string& tag) {
    const auto dir = std::filesystem::temp_directory_path() / ("pga-" + tag + "-" + util::uuid_v4().substr(0, 8));
    std::filesystem::create_directories(dir);
    return dir.string();
}

void write_file(const std::string& path, const std::string& text) {
    util::atomic_write(path, text, 0600);
}

std::string engine_toml(const PgServer& server, const std::string& state_dir, int interval_s) {
    std::string toml =
        "[collector]\nid = \"engine-test\"\ninterval = " + std::to_string(interval_s) + "\nstate_dir = \"" + state_dir +
        "\"\nlog_file = \"" + state_dir +
        "/collector.log\"\n\n[postgresql]\nhost = \"127.0.0.1\"\nport = " + std::to_string(server.port()) +
        "\nuser = \"pga_monitor\"\npassword = \"" + server.monitor_password() +
        "\"\nsslmode = \"disable\"\npool_min_size = 0\n";
    for (const auto& m : cli::registered_metrics()) {
        const bool core = std::find(k_core_types.begin(), k_core_types.end(), m.name) != k_core_types.end();
        toml += "\n[" + m.name + "]\nenabled = " + (core ? "true" : "false") + "\n";
        if (core) {
            toml += "interval = " + std::to_string(interval_s) + "\n";
        }
    }
    return toml;
}

std::string pganalytics_binary() {
    return PGA_BINARY_DIR "/tools/pganalytics";
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw std::runtime_error("cannot start " + argv[0]);
    }
    return pid;
}

int wait_exit(pid_t pid, int timeout_ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= end) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int count_json_documents(const std::string& path) {
    const auto text = util::try_read_file(path, nullptr).value_or("");
    int depth = 0;
    int documents = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '{') {
            ++depth;
        } else if (c == '}' && --depth == 0) {
            ++documents;
        }
    }
    return documents;
}

namespace {

// Local ports of the ESTABLISHED TCP sockets to remote port `to` in /proc/net/tcp and tcp6
// ("sl local rem st ...", addresses as hex address:port, st 01 = ESTABLISHED).
std::set<int> established_local_ports(int to) {
    const auto port_of = [](const std::string& address) {
        const auto colon = address.rfind(':');
        return colon == std::string::npos ? -1 : std::stoi(address.substr(colon + 1), nullptr, 16);
    };
    std::set<int> ports;
    for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(path);
        std::string line;
        std::getline(in, line); // header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string sl, local, remote, st;
            if ((fields >> sl >> local >> remote >> st) && st == "01" && port_of(remote) == to) {
                ports.insert(port_of(local));
            }
        }
    }
    return ports;
}

} // namespace

int held_connections(const PgServer& server, const std::string& filter) {
    const auto listed = server.query_value(
        "SELECT coalesce(string_agg(client_port::text, ','), '') FROM pg_stat_activity WHERE " + filter);
    const auto established = established_local_ports(server.port());
    int held = 0;
    std::istringstream ports(listed);
    for (std::string port; std::getline(ports, port, ',');) {
        held += established.count(std::stoi(port)) != 0 ? 1 : 0;
    }
    return held;
}

void expect_every_connection_accounted_for(const pg::PoolStats& s) {
    EXPECT_EQ(s.created + s.reuses, s.acquisitions);
    EXPECT_EQ(s.failed, 0u);
    EXPECT_EQ(s.active, 0);
    EXPECT_EQ(s.closed, s.created - static_cast<std::uint64_t>(s.idle));
}

} // namespace pga::test
