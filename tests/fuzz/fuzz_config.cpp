// libFuzzer target: the configuration loader (config::load_text) on arbitrary TOML text, with the
// real metric table and an environment holding planted secrets. Properties: it never throws or
// crashes; every diagnostic names the file, has a position and a one-line message; loading the
// same text twice gives the same diagnostics; and no resolved secret (inline or from the
// environment) appears in any diagnostic (the redaction contract of reliability.md).
#include "fuzz_check.hpp"
#include "pga/cli/common.hpp"
#include "pga/config/loader.hpp"

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* k_name = "fuzz.toml";
constexpr std::string_view k_redacted = "<redacted>";

std::optional<std::string> planted_env(const std::string& name) {
    if (name == "PGPASSWORD") {
        return "canary-pgpassword-5d1e";
    }
    if (name == "PGANALYTICS_TOKEN") {
        return "canary-token-93ab";
    }
    if (name == "REGISTRATION_SECRET") {
        return "canary-registration-07c4";
    }
    return std::nullopt;
}

// Returns true when path is safe for the loader to read: a regular file outside /dev, /proc and
// /sys (a fuzzer must not read /dev/zero or block on a FIFO or /proc/kmsg).
bool safe_to_read(const std::string& path) {
    std::error_code ec;
    const auto canonical = std::filesystem::weakly_canonical(path, ec).string();
    if (ec || canonical.rfind("/dev", 0) == 0 || canonical.rfind("/proc", 0) == 0 || canonical.rfind("/sys", 0) == 0) {
        return false;
    }
    return std::filesystem::is_regular_file(canonical, ec) && std::filesystem::file_size(canonical, ec) < (1u << 20);
}

// Returns true when the document names, in a *_file key, a file the loader should not read.
bool names_unsafe_file(const toml::table& table) {
    for (const auto& [key, node] : table) {
        if (const auto* sub = node.as_table(); sub != nullptr && names_unsafe_file(*sub)) {
            return true;
        }
        const std::string_view name = key.str();
        const auto* value = node.as_string();
        if (value != nullptr && name.size() >= 5 && name.substr(name.size() - 5) == "_file" && !value->get().empty() &&
            !safe_to_read(value->get())) {
            return true;
        }
    }
    return false;
}

std::vector<std::string> formatted(const pga::config::LoadResult& r) {
    std::vector<std::string> out;
    for (const auto& d : r.diagnostics) {
        out.push_back(d.format());
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        if (names_unsafe_file(toml::parse(text, std::string(k_name)))) {
            return -1;
        }
    } catch (const toml::parse_error&) {
        // The loader reports it; nothing can be read.
    }
    static const auto metrics = pga::cli::registered_metrics();
    const auto result = pga::config::load_text(text, k_name, metrics, planted_env);

    std::vector<std::string> secrets = {result.config.postgresql.password.reveal(),
                                        result.config.backend.token.reveal(),
                                        result.config.backend.registration_secret.reveal(),
                                        result.config.postgresql.password_inline, result.config.backend.token_inline};
    for (const auto& d : result.diagnostics) {
        PGA_FUZZ_CHECK(d.file == k_name);
        PGA_FUZZ_CHECK(d.line >= 0 && d.column >= 0);
        PGA_FUZZ_CHECK(!d.message.empty());
        PGA_FUZZ_CHECK(d.message.find('\n') == std::string::npos);
        const auto line = d.format();
        for (const auto& secret : secrets) {
            // A secret shorter than 4 bytes is not redacted (it would blank out ordinary words), and
            // one that is part of "<redacted>" shows up in the marker itself.
            if (secret.size() < 4 || k_redacted.find(secret) != std::string_view::npos) {
                continue;
            }
            PGA_FUZZ_CHECK(line.find(secret) == std::string::npos);
        }
    }
    PGA_FUZZ_CHECK(result.ok() == !pga::config::has_errors(result.diagnostics));

    const auto again = pga::config::load_text(text, k_name, metrics, planted_env);
    PGA_FUZZ_CHECK(formatted(again) == formatted(result));
    return 0;
}
