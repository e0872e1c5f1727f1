// The HTTP seam: the backend client speaks to a Transport, so retry, token and spool logic can be
// unit-tested with a scripted fake while production and integration tests use libcurl
// (curl_transport.hpp). A transport never throws for network trouble: it reports it in the
// response (status 0 and an error text).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pga::deliver {

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers; // name, value
    std::string body;
};

struct HttpResponse {
    int status = 0;                             // 0: no HTTP answer (see error)
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
    std::string error; // transport failure text when status == 0 (no secrets, no body)
    bool ok() const { return status >= 200 && status < 300; }
    // Returns the header value (name in lower case) or "".
    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

class Transport {
public:
    virtual ~Transport() = default;
    // Performs one request and returns what came back; never throws for network failures.
    virtual HttpResponse perform(const HttpRequest& request) = 0;
    // Makes in-flight and later requests give up once `deadline` has passed (shutdown bound).
    virtual void abort_after(std::chrono::steady_clock::time_point deadline) { (void)deadline; }
};

} // namespace pga::deliver
