// The Python test backend (tests/backend/pga_test_backend.py) as a RAII process for integration
// tests: started on ephemeral loopback ports, scripted through its control API, stopped (SIGTERM,
// then SIGKILL) when the object goes away. Plus helpers shared by the delivery tests.
#pragma once

#include "pga/collect/batch.hpp"
#include "pga/config/config.hpp"
#include "pga/deliver/spool.hpp"
#include "pga/deliver/timing.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pga::test {

class TestBackend {
public:
    // Starts the backend with extra arguments (e.g. --token-ttl 5); throws std::runtime_error
    // when it does not listen within 15 s.
    explicit TestBackend(std::vector<std::string> args = {});
    ~TestBackend();
    TestBackend(const TestBackend&) = delete;
    TestBackend& operator=(const TestBackend&) = delete;

    // Returns "http(s)://127.0.0.1:<port>".
    std::string url() const;
    int port() const { return port_; }
    // Calls the control API; returns its JSON answer. Throws on a transport failure.
    nlohmann::json control(const std::string& method, const std::string& path,
                           const nlohmann::json& body = nullptr) const;
    void fault(const nlohmann::json& script) const { control("POST", "/_test/fault", script); }
    void clear() const { control("POST", "/_test/clear"); }
    nlohmann::json ledger() const { return control("GET", "/_test/ledger"); }
    // Returns a token minted by the backend for collector_id.
    std::string mint_token(const std::string& collector_id, int ttl_s) const;
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
    pid_t pid_ = -1;
    int port_ = 0;
    int control_port_ = 0;
    std::string scheme_ = "http";
};

// The collector id the test backend gives its --static-token (--static-collector-id default).
inline constexpr const char* k_static_collector_id = "00000000-0000-4000-8000-000000000001";

// Returns a configuration for delivery tests: state_dir under dir, backend url, short timeouts.
config::Config delivery_config(const std::filesystem::path& dir, const std::string& url);

// Returns the timing used by the delivery integration tests (every duration divided by 50).
deliver::Timing fast_timing();

// Returns a batch with `metrics` small metric objects and a fresh UUID.
collect::Batch make_batch(std::uint64_t sequence, int metrics = 2, std::size_t pad_bytes = 16);

// Returns the spool statistics of state_dir (opening the spool read-write).
deliver::SpoolStats spool_stats(const std::filesystem::path& state_dir);

// Returns the batch ids the backend accepted, in order of acceptance (duplicates included).
std::vector<std::string> accepted_ids(const nlohmann::json& ledger);

// Returns the repository root (PGA_SOURCE_DIR).
std::filesystem::path source_dir();

} // namespace pga::test
