// pga-validate's backend section: GET /api/v1/health must answer 200, and an empty push
// (POST /api/v1/metrics/push with no metrics) must be accepted with the configured token, which
// proves the credentials and the collector id without sending data.
#include "pga/cli/validate/checks.hpp"
#include "pga/cli/validate/http_probe.hpp"

#include "pga/util/strings.hpp"
#include "pga/util/time.hpp"
#include "pga/version.hpp"

#include <nlohmann/json.hpp>

namespace pga::cli::validate {

namespace {

constexpr const char* k_sec = "backend";

std::string base_url(const config::Config& c) {
    std::string url = c.backend.url;
    while (!url.empty() && url.back() == '/') {
        url.pop_back();
    }
    return url;
}

// Returns the backend's error message from a {"code","message","details"} body, else "".
std::string error_message(const std::string& body) {
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) {
        return util::escape_control(j["message"].get<std::string>());
    }
    return "";
}

// Returns the collector_id claim of a JWT (unverified), or "".
std::string jwt_collector_id(const std::string& token) {
    const auto first = token.find('.');
    const auto second = token.find('.', first + 1);
    if (first == std::string::npos || second == std::string::npos) {
        return "";
    }
    std::string b64 = token.substr(first + 1, second - first - 1);
    std::string decoded;
    int bits = 0;
    unsigned acc = 0;
    for (char ch : b64) {
        const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const auto pos = alphabet.find(ch);
        if (pos == std::string::npos) {
            break;
        }
        acc = (acc << 6) | static_cast<unsigned>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            decoded.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    const auto j = nlohmann::json::parse(decoded, nullptr, false);
    return j.is_object() && j.contains("collector_id") && j["collector_id"].is_string()
               ? j["collector_id"].get<std::string>()
               : "";
}

void check_health(const config::Config& c, Report& r) {
    const auto resp = http_request(c, base_url(c) + "/api/v1/health", false, "", "");
    if (!resp.error.empty()) {
        r.error(k_sec, "backend.health", "GET /api/v1/health failed: " + util::escape_control(resp.error),
                resp.tls_failure ? "check tls.ca_file and the backend's certificate"
                                 : "is the backend running at " + util::escape_control(c.backend.url) +
                                       "? check backend.url and the network");
    } else if (resp.status == 200) {
        r.ok(k_sec, "backend.health", "backend healthy (HTTP 200)");
    } else if (resp.status == 503) {
        r.warning(k_sec, "backend.health", "backend answers but is degraded (HTTP 503)",
                  "the backend's databases are down; check the backend");
    } else {
        r.error(k_sec, "backend.health", "GET /api/v1/health answered HTTP " + std::to_string(resp.status),
                "check backend.url: it should be the backend's base URL without a path");
    }
}

void check_credentials(const config::Config& c, Report& r) {
    if (c.backend.token.empty()) {
        r.error(k_sec, "backend.credentials", "no backend token configured",
                "run `pganalytics register`, or set backend.token_file or PGANALYTICS_TOKEN");
        return;
    }
    std::string id = c.collector.id.empty() ? jwt_collector_id(c.backend.token.reveal()) : c.collector.id;
    const nlohmann::json probe{{"collector_id", id},
                               {"hostname", c.collector.hostname},
                               {"timestamp", util::rfc3339_utc(util::SystemClock::now())},
                               {"version", k_version},
                               {"metrics_count", 0},
                               {"metrics", nlohmann::json::array()}};
    const auto resp =
        http_request(c, base_url(c) + "/api/v1/metrics/push", true, probe.dump(), c.backend.token.reveal());
    const std::string why = error_message(resp.body);
    if (!resp.error.empty()) {
        r.error(k_sec, "backend.credentials", "push probe failed: " + util::escape_control(resp.error));
    } else if (resp.status >= 200 && resp.status < 300) {
        r.ok(k_sec, "backend.credentials",
             "credentials accepted (empty push answered HTTP " + std::to_string(resp.status) + ")");
    } else if (resp.status == 401 || resp.status == 403) {
        r.error(k_sec, "backend.credentials",
                "credentials rejected (HTTP " + std::to_string(resp.status) + (why.empty() ? "" : ": " + why) + ")",
                "the token is wrong or expired, or collector.id does not match it: run `pganalytics register` "
                "or fix backend.token_file");
    } else {
        r.warning(k_sec, "backend.credentials",
                  "push probe answered HTTP " + std::to_string(resp.status) + (why.empty() ? "" : ": " + why),
                  "check collector.id and collector.hostname");
    }
}

} // namespace

void check_backend(const config::Config& c, Report& r) {
    if (c.backend.url.empty()) {
        r.warning(k_sec, "backend.url", "backend.url is not set; only `cron --dry-run` can run",
                  "set backend.url to the backend's base URL");
        return;
    }
    check_health(c, r);
    check_credentials(c, r);
}

} // namespace pga::cli::validate
