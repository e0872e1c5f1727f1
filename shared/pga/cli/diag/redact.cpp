// Allowlist redaction of the config and scrubbing of logs: see redact.hpp.
#include "pga/cli/diag/redact.hpp"

#include "pga/cli/common.hpp"
#include "pga/config/options.hpp"

#include <toml++/toml.h>

#include <map>
#include <regex>
#include <sstream>

namespace pga::cli::diag {

namespace {

// Returns "section.name" -> secret? for every known option (aliases folded in).
std::map<std::string, bool> known_keys() {
    std::map<std::string, bool> keys;
    for (const auto& o : config::option_table(registered_metrics())) {
        keys[o.qualified()] = o.secret;
        for (const auto& [alias, canonical] : config::section_aliases()) {
            if (canonical == o.section) {
                keys[alias + "." + o.name] = o.secret;
            }
        }
    }
    return keys;
}

std::string value_text(const toml::node& n) {
    std::ostringstream s;
    if (n.is_string()) {
        s << toml::value<std::string>(*n.value<std::string>());
    } else if (n.is_array()) {
        s << *n.as_array();
    } else if (n.is_value()) {
        n.visit([&](const auto& v) {
            if constexpr (toml::is_value<decltype(v)>) {
                s << v;
            }
        });
    } else {
        s << k_redacted;
    }
    return s.str();
}

} // namespace

std::string redact_config(const std::string& toml_text) {
    toml::table doc;
    try {
        doc = toml::parse(toml_text);
    } catch (const toml::parse_error&) {
        return "# the configuration does not parse; its text is not included\n";
    }
    const auto keys = known_keys();
    std::string out;
    for (const auto& [section, node] : doc) {
        const auto* table = node.as_table();
        if (table == nullptr) {
            out += std::string(section.str()) + " = \"" + k_redacted + "\"\n";
            continue;
        }
        for (const auto& [key, value] : *table) {
            const std::string q = std::string(section.str()) + "." + std::string(key.str());
            const auto it = keys.find(q);
            const bool keep = it != keys.end() && !it->second && (value.is_value() || value.is_array());
            out += q + " = " + (keep ? value_text(value) : std::string("\"") + k_redacted + "\"") + "\n";
        }
    }
    return out;
}

std::string scrub(const std::string& text, const std::vector<std::string>& secrets) {
    std::string out = text;
    for (const auto& s : secrets) {
        if (s.empty()) {
            continue;
        }
        for (auto pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 10)) {
            out.replace(pos, s.size(), k_redacted);
        }
    }
    static const std::regex kv(R"(((?:password|passwd|pwd|token|secret|private_key)\s*[=:]\s*)("[^"]*"|'[^']*'|\S+))",
                               std::regex::icase);
    out = std::regex_replace(out, kv, std::string("$1") + k_redacted);
    static const std::regex bearer(R"((Bearer\s+)[A-Za-z0-9._~+/=-]+)", std::regex::icase);
    return std::regex_replace(out, bearer, std::string("$1") + k_redacted);
}

std::string find_secret(const std::string& text, const std::vector<std::string>& secrets) {
    for (const auto& s : secrets) {
        if (s.size() >= 4 && text.find(s) != std::string::npos) {
            return s;
        }
    }
    return "";
}

} // namespace pga::cli::diag
