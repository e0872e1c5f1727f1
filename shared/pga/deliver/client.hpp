// The pgAnalytics backend's endpoints over a Transport: register, refresh-token, metrics push,
// config pull and health, with the headers the contract asks for. It decides nothing about
// retries; it builds requests and parses answers (a 2xx with an unreadable body is still a 2xx).
#pragma once

#include "pga/deliver/identity.hpp"
#include "pga/deliver/transport.hpp"
#include "pga/util/secret.hpp"

#include <optional>
#include <string>

namespace pga::deliver {

struct RegisterRequest {
    std::string name;
    std::string hostname;
    std::string version;
};

struct RefreshedToken {
    util::Secret token;
    std::string expires_at;
};

class BackendClient {
public:
    // base_url is [backend] url ("https://backend:8080"); the transport is borrowed.
    BackendClient(std::string base_url, Transport& transport);

    // POST /api/v1/collectors/register with X-Registration-Secret.
    HttpResponse register_collector(const util::Secret& secret, const RegisterRequest& request);
    // POST /api/v1/collectors/refresh-token with the still-valid token.
    HttpResponse refresh(const util::Secret& token);
    // POST /api/v1/metrics/push; body is the envelope, gzipped first when gzip is true.
    HttpResponse push(const util::Secret& token, const std::string& body, bool gzip);
    // GET /api/v1/config/<collector_id>.
    HttpResponse pull_config(const util::Secret& token, const std::string& collector_id);
    // GET /api/v1/health.
    HttpResponse health();

    const std::string& base_url() const { return base_url_; }
    Transport& transport() { return transport_; }

private:
    std::string url(const std::string& path) const;
    std::string base_url_;
    Transport& transport_;
};

// Returns the registration in a 200 answer, or nullopt when the body lacks collector_id/token.
std::optional<Registration> parse_registration(const HttpResponse& response);

// Returns the token in a refresh answer, or nullopt when the body lacks it.
std::optional<RefreshedToken> parse_refresh(const HttpResponse& response);

// Returns a one-line description of a failed answer: "HTTP 503: <message>" or the transport
// error; control characters escaped, at most 200 characters of the server's message.
std::string describe_failure(const HttpResponse& response);

// Returns text percent-encoded for a URL path segment.
std::string url_escape(const std::string& text);

} // namespace pga::deliver
