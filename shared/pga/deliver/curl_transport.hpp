// The libcurl transport: TLS verified by default (CA file, client certificate and key for mTLS,
// TLS 1.2 minimum), http and https only, redirects never followed, connect and total timeouts, a
// cap on the response size, and an abort deadline for shutdown. One easy handle per transport,
// reused so connections stay alive between requests; not shared between threads.
#pragma once

#include "pga/config/config.hpp"
#include "pga/deliver/transport.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace pga::deliver {

struct CurlOptions {
    bool verify = true;
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds timeout{30000};
    std::size_t max_response_bytes = 1 << 20;
    std::string user_agent = "pganalytics";
};

// Returns the transport options of a configuration ([backend] timeouts, [tls]).
CurlOptions curl_options(const config::Config& config);

class CurlTransport final : public Transport {
public:
    // Throws std::runtime_error when libcurl cannot be initialised.
    explicit CurlTransport(CurlOptions options);
    ~CurlTransport() override;
    CurlTransport(const CurlTransport&) = delete;
    CurlTransport& operator=(const CurlTransport&) = delete;

    HttpResponse perform(const HttpRequest& request) override;
    void abort_after(std::chrono::steady_clock::time_point deadline) override;

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace pga::deliver
