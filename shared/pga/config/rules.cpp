// Cross-field rules and secret resolution: see rules.hpp.
#include "pga/config/rules.hpp"

#include "pga/util/files.hpp"
#include "pga/util/host.hpp"
#include "pga/util/strings.hpp"

#include <unistd.h>

namespace pga::config {

namespace {

class Rules {
public:
    Rules(LoadResult& result, const RuleContext& ctx) : r_(result), c_(result.config), ctx_(ctx) {}

    void run() {
        check_pool();
        check_tls();
        check_url();
        check_listen();
        check_files();
        resolve_secrets();
        check_permissions();
        if (c_.collector.hostname.empty()) {
            c_.collector.hostname = util::host_name();
        }
        if (c_.collector.log_level == "warn") {
            c_.collector.log_level = "warning";
        }
    }

private:
    void check_pool() {
        const auto& pg = c_.postgresql;
        if (pg.pool_min_size > pg.pool_max_size) {
            error("postgresql.pool_min_size", "postgresql.pool_min_size (" + std::to_string(pg.pool_min_size) +
                                                  ") must not exceed pool_max_size (" +
                                                  std::to_string(pg.pool_max_size) + ")");
        }
    }

    void check_tls() {
        if (c_.tls.cert_file.empty() != c_.tls.key_file.empty()) {
            error(c_.tls.cert_file.empty() ? "tls.key_file" : "tls.cert_file",
                  "tls.cert_file and tls.key_file must be set together", "mTLS needs both the certificate and its key");
        }
        c_.tls.verify_written = ctx_.positions.count("tls.verify") > 0;
    }

    void check_url() {
        const auto& url = c_.backend.url;
        if (!url.empty() && !util::starts_with(url, "http://") && !util::starts_with(url, "https://")) {
            error("backend.url",
                  "backend.url must start with http:// or https://, got \"" + util::escape_control(url) + "\"");
        }
    }

    void check_listen() {
        const auto& listen = c_.exporter.listen;
        const auto colon = listen.rfind(':');
        bool ok = colon != std::string::npos && colon > 0 && colon + 1 < listen.size();
        if (ok) {
            const auto port = listen.substr(colon + 1);
            ok = port.find_first_not_of("0123456789") == std::string::npos && port.size() <= 5 && std::stol(port) > 0 &&
                 std::stol(port) <= 65535;
        }
        if (!ok) {
            error("exporter.listen",
                  "exporter.listen must be ADDRESS:PORT, got \"" + util::escape_control(listen) + "\"",
                  "for example 127.0.0.1:9188");
        }
    }

    void check_files() {
        const std::vector<std::pair<std::string, std::string>> files = {
            {"backend.token_file", c_.backend.token_file},
            {"backend.registration_secret_file", c_.backend.registration_secret_file},
            {"postgresql.password_file", c_.postgresql.password_file},
            {"tls.ca_file", c_.tls.ca_file},
            {"tls.cert_file", c_.tls.cert_file},
            {"tls.key_file", c_.tls.key_file},
        };
        for (const auto& [key, path] : files) {
            if (!path.empty() && ::access(path.c_str(), R_OK) != 0) {
                error(key, key + " cannot be read: " + util::escape_control(path) + ": " + util::errno_text());
            }
        }
    }

    // Reads a secret file; returns "" (with an error recorded) when unusable.
    std::string read_secret_file(const std::string& key, const std::string& path) {
        std::string why;
        auto content = util::try_read_file(path, &why);
        if (!content) {
            return ""; // unreadable files were reported by check_files
        }
        std::string value(util::trim(*content));
        if (value.empty()) {
            error(key, key + " is empty: " + util::escape_control(path));
        }
        return value;
    }

    util::Secret resolve(const std::string& file_key, const std::string& file, const std::string& inline_key,
                         const std::string& inline_value, const std::string& env_name) {
        if (!file.empty() && !inline_value.empty()) {
            error(inline_key, inline_key + " and " + file_key + " are both set", "keep only one of them");
        }
        if (!file.empty()) {
            return {read_secret_file(file_key, file), file_key + " " + file};
        }
        if (!inline_value.empty()) {
            return {inline_value, inline_key + " in " + ctx_.file};
        }
        if (auto v = ctx_.env(env_name); v && !v->empty()) {
            return {*v, "environment variable " + env_name};
        }
        return {};
    }

    void resolve_secrets() {
        auto& b = c_.backend;
        auto& pg = c_.postgresql;
        pg.password = resolve("postgresql.password_file", pg.password_file, "postgresql.password", pg.password_inline,
                              "PGPASSWORD");
        b.token = resolve("backend.token_file", b.token_file, "backend.token", b.token_inline, "PGANALYTICS_TOKEN");
        b.registration_secret =
            resolve("backend.registration_secret_file", b.registration_secret_file, "", "", "REGISTRATION_SECRET");
    }

    void check_permissions() {
        if (!ctx_.check_permissions) {
            return;
        }
        std::string key;
        if (!c_.postgresql.password_inline.empty()) {
            key = "postgresql.password";
        } else if (!c_.backend.token_inline.empty()) {
            key = "backend.token";
        }
        const auto mode = util::file_mode(ctx_.file);
        if (key.empty() || !mode || (*mode & 077) == 0) {
            return;
        }
        char octal[16];
        std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(*mode));
        r_.diagnostics.push_back(
            {Severity::error, ctx_.file, 0, 0,
             "holds an inline secret (" + key + ") but is readable by group or others (mode " + octal + ")",
             "run: chmod 600 " + ctx_.file + "  (or move the secret to a *_file key)"});
    }

    void error(const std::string& key, std::string message, std::string hint = "") {
        std::int64_t line = 0;
        std::int64_t column = 0;
        if (auto it = ctx_.positions.find(key); it != ctx_.positions.end()) {
            line = it->second.first;
            column = it->second.second;
        }
        r_.diagnostics.push_back({Severity::error, ctx_.file, line, column, std::move(message), std::move(hint)});
    }

    LoadResult& r_;
    Config& c_;
    const RuleContext& ctx_;
};

} // namespace

void apply_rules(LoadResult& result, const RuleContext& ctx) {
    Rules(result, ctx).run();
}

} // namespace pga::config
