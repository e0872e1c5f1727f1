// The test backend process and delivery test helpers: see deliver_backend.hpp.
#include "deliver_backend.hpp"

#include "pga/collect/batch.hpp"
#include "pga/deliver/curl_transport.hpp"
#include "pga/util/files.hpp"
#include "pga/util/uuid.hpp"

#include <chrono>
#include <csignal>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace pga::test {

namespace {

std::filesystem::path make_temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pga-deliver-XXXXXX").string();
    return ::mkdtemp(pattern.data());
}

} // namespace

std::filesystem::path source_dir() {
    return PGA_SOURCE_DIR;
}

TestBackend::TestBackend(std::vector<std::string> args) : dir_(make_temp_dir()) {
    const auto port_file = dir_ / "port.json";
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     (source_dir() / "tests/backend/pga_test_backend.py").string(),
                                     "--port-file",
                                     port_file.string(),
                                     "--log",
                                     (dir_ / "backend.log").string(),
                                     "--exit-with-pid",
                                     std::to_string(::getpid())};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
        std::vector<char*> cargv;
        for (auto& a : argv) {
            cargv.push_back(a.data());
        }
        cargv.push_back(nullptr);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
        std::string why;
        if (auto text = util::try_read_file(port_file, &why); text && !text->empty()) {
            const auto info = nlohmann::json::parse(*text, nullptr, false);
            if (info.is_object()) {
                port_ = info["port"];
                control_port_ = info["control_port"];
                scheme_ = info["scheme"];
                return;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("test backend did not start; see " + (dir_ / "backend.log").string());
}

TestBackend::~TestBackend() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::string TestBackend::url() const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_);
}

nlohmann::json TestBackend::control(const std::string& method, const std::string& path,
                                    const nlohmann::json& body) const {
    deliver::CurlTransport transport(deliver::CurlOptions{});
    deliver::HttpRequest req;
    req.method = method;
    req.url = "http://127.0.0.1:" + std::to_string(control_port_) + path;
    req.headers = {{"Content-Type", "application/json"}};
    req.body = body.is_null() ? "" : body.dump();
    const auto resp = transport.perform(req);
    if (resp.status == 0) {
        throw std::runtime_error("control " + path + ": " + resp.error);
    }
    return nlohmann::json::parse(resp.body, nullptr, false);
}

std::string TestBackend::mint_token(const std::string& collector_id, int ttl_s) const {
    return control("GET", "/_test/mint-token?collector_id=" + collector_id + "&ttl=" + std::to_string(ttl_s))["token"];
}

config::Config delivery_config(const std::filesystem::path& dir, const std::string& url) {
    config::Config c;
    c.collector.state_dir = dir.string();
    c.collector.hostname = "pga-test-host";
    c.collector.push_interval_s = 1;
    c.backend.url = url;
    c.backend.timeout_s = 5;
    c.backend.connect_timeout_s = 2;
    return c;
}

deliver::Timing fast_timing() {
    return deliver::scaled_timing(50);
}

collect::Batch make_batch(std::uint64_t sequence, int metrics, std::size_t pad_bytes) {
    collect::Batch b;
    b.batch_id = util::uuid_v4();
    b.sequence = sequence;
    b.created = util::SystemClock::now();
    for (int i = 0; i < metrics; ++i) {
        b.metrics.push_back(nlohmann::json{{"type", "pg_stats"},
                                           {"timestamp", util::rfc3339_utc(b.created)},
                                           {"database", "db" + std::to_string(i)},
                                           {"pad", std::string(pad_bytes, 'x')}});
    }
    return b;
}

deliver::SpoolStats spool_stats(const std::filesystem::path& state_dir) {
    deliver::Spool spool(state_dir / "spool", {});
    return spool.stats();
}

std::vector<std::string> accepted_ids(const nlohmann::json& ledger) {
    std::vector<std::string> ids;
    for (const auto& r : ledger["accepted"]) {
        ids.push_back(r["batch_id"].is_string() ? r["batch_id"].get<std::string>() : "");
    }
    return ids;
}

} // namespace pga::test
