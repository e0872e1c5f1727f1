// Backend endpoints: see client.hpp.
#include "pga/deliver/client.hpp"

#include "pga/deliver/envelope.hpp"
#include "pga/util/strings.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

namespace pga::deliver {

namespace {

const char* const k_json = "application/json";

std::string string_field(const nlohmann::json& doc, const char* name) {
    const auto it = doc.find(name);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

BackendClient::BackendClient(std::string base_url, Transport& transport)
    : base_url_(std::move(base_url)), transport_(transport) {
    while (!base_url_.empty() && base_url_.back() == '/') {
        base_url_.pop_back();
    }
}

std::string BackendClient::url(const std::string& path) const {
    return base_url_ + path;
}

HttpResponse BackendClient::register_collector(const util::Secret& secret, const RegisterRequest& r) {
    HttpRequest req;
    req.method = "POST";
    req.url = url("/api/v1/collectors/register");
    req.headers = {{"Content-Type", k_json}, {"Accept", k_json}, {"X-Registration-Secret", secret.reveal()}};
    req.body = nlohmann::json{{"name", r.name}, {"hostname", r.hostname}, {"version", r.version}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    return transport_.perform(req);
}

HttpResponse BackendClient::refresh(const util::Secret& token) {
    HttpRequest req;
    req.method = "POST";
    req.url = url("/api/v1/collectors/refresh-token");
    req.headers = {{"Accept", k_json}, {"Authorization", "Bearer " + token.reveal()}};
    return transport_.perform(req);
}

HttpResponse BackendClient::push(const util::Secret& token, const std::string& body, bool compress) {
    HttpRequest req;
    req.method = "POST";
    req.url = url("/api/v1/metrics/push");
    req.headers = {{"Content-Type", k_json}, {"Accept", k_json}, {"Authorization", "Bearer " + token.reveal()}};
    if (compress) {
        req.headers.emplace_back("Content-Encoding", "gzip");
        req.body = gzip(body);
    } else {
        req.body = body;
    }
    return transport_.perform(req);
}

HttpResponse BackendClient::pull_config(const util::Secret& token, const std::string& collector_id) {
    HttpRequest req;
    req.url = url("/api/v1/config/" + url_escape(collector_id));
    req.headers = {{"Accept", "application/toml, text/plain"}, {"Authorization", "Bearer " + token.reveal()}};
    return transport_.perform(req);
}

HttpResponse BackendClient::health() {
    HttpRequest req;
    req.url = url("/api/v1/health");
    return transport_.perform(req);
}

std::optional<Registration> parse_registration(const HttpResponse& response) {
    const auto doc = nlohmann::json::parse(response.body, nullptr, false);
    if (!doc.is_object()) {
        return std::nullopt;
    }
    Registration r;
    r.collector_id = string_field(doc, "collector_id");
    r.token = util::Secret(string_field(doc, "token"), "registration");
    r.certificate = string_field(doc, "certificate");
    r.private_key = util::Secret(string_field(doc, "private_key"), "registration");
    r.expires_at = string_field(doc, "expires_at");
    if (r.collector_id.empty() || r.token.empty()) {
        return std::nullopt;
    }
    return r;
}

std::optional<RefreshedToken> parse_refresh(const HttpResponse& response) {
    const auto doc = nlohmann::json::parse(response.body, nullptr, false);
    if (!doc.is_object() || string_field(doc, "token").empty()) {
        return std::nullopt;
    }
    return RefreshedToken{util::Secret(string_field(doc, "token"), "token refresh"), string_field(doc, "expires_at")};
}

std::string describe_failure(const HttpResponse& response) {
    if (response.status == 0) {
        return util::escape_control(response.error);
    }
    std::string text = "HTTP " + std::to_string(response.status);
    const auto doc = nlohmann::json::parse(response.body, nullptr, false);
    if (doc.is_object()) {
        auto message = string_field(doc, "message");
        if (message.size() > 200) {
            message.resize(200);
        }
        if (!message.empty()) {
            text += ": " + util::escape_control(message);
        }
    }
    return text;
}

std::string url_escape(const std::string& text) {
    static const char* const hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

} // namespace pga::deliver
