// Test doubles for the delivery unit tests: a scripted transport, a manual clock, JWTs with
// chosen claims and a temporary directory. No sockets, no sleeping.
#pragma once

#include "pga/deliver/jwt.hpp"
#include "pga/deliver/timing.hpp"
#include "pga/deliver/transport.hpp"

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pga::test {

// Answers requests from a handler (default: 200 {}) and keeps every request.
class FakeTransport final : public deliver::Transport {
public:
    std::function<deliver::HttpResponse(const deliver::HttpRequest&)> handler;
    std::vector<deliver::HttpRequest> requests;

    deliver::HttpResponse perform(const deliver::HttpRequest& request) override {
        requests.push_back(request);
        if (handler) {
            return handler(request);
        }
        return {200, {}, "{}", ""};
    }
    // Returns the requests whose URL ends with path.
    std::vector<deliver::HttpRequest> to(const std::string& path) const {
        std::vector<deliver::HttpRequest> out;
        for (const auto& r : requests) {
            if (r.url.size() >= path.size() && r.url.compare(r.url.size() - path.size(), path.size(), path) == 0) {
                out.push_back(r);
            }
        }
        return out;
    }
};

// A clock the test moves by hand; both the steady and the wall clock advance together.
struct ManualClock {
    util::SteadyClock::time_point steady = util::SteadyClock::time_point(std::chrono::hours(1000));
    util::SystemClock::time_point wall = util::SystemClock::time_point(std::chrono::seconds(1'800'000'000));
    void advance(std::chrono::milliseconds d) {
        steady += d;
        wall += d;
    }
    deliver::Clocks clocks() {
        return {[this] { return steady; }, [this] { return wall; }};
    }
    std::int64_t wall_s() const {
        return std::chrono::duration_cast<std::chrono::seconds>(wall.time_since_epoch()).count();
    }
};

inline std::string b64url(const std::string& in) {
    static const char* const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += abc[(acc >> bits) & 63];
        }
    }
    if (bits > 0) {
        out += abc[(acc << (6 - bits)) & 63];
    }
    return out;
}

// Returns an (unsigned) JWT with the given claims.
inline std::string make_jwt(const std::string& collector_id, std::int64_t iat, std::int64_t exp) {
    const nlohmann::json claims = {{"collector_id", collector_id}, {"iat", iat}, {"exp", exp}, {"type", "access"}};
    return b64url(R"({"alg":"HS256","typ":"JWT"})") + "." + b64url(claims.dump()) + ".c2lnbmF0dXJl";
}

inline deliver::HttpResponse json_response(int status, const nlohmann::json& body,
                                           std::map<std::string, std::string> headers = {}) {
    return {status, std::move(headers), body.dump(), ""};
}

// A fresh directory under the system temp dir, removed with its content at scope exit.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "pga-test-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

} // namespace pga::test
