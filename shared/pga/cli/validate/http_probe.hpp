// A minimal one-shot HTTP client for pga-validate's probes (libcurl): TLS verification on unless
// the config turns it off, CA file and client certificate from [tls], TLS 1.2 minimum, connect
// and total timeouts, no redirects, a response-size cap. The delivery layer's client is not used
// so the probes stay independent of its retry and token logic.
#pragma once

#include "pga/config/config.hpp"

#include <string>
#include <vector>

namespace pga::cli::validate {

struct HttpResponse {
    long status = 0;                         // 0 when no HTTP answer arrived
    std::string body;                        // at most 64 KiB
    std::string error;                       // transport error text ("" when an answer arrived)
    bool tls_failure = false;                // the failure was a TLS handshake / verification problem
    std::vector<std::string> peer_certs_pem; // server chain, when certinfo was asked for
};

// Performs one request to url (GET when body is empty and post is false). bearer is sent as
// `Authorization: Bearer` when not empty. Never throws.
HttpResponse http_request(const config::Config& config, const std::string& url, bool post, const std::string& body,
                          const std::string& bearer, bool want_certs = false);

} // namespace pga::cli::validate
