// pga-validate's config section: every load diagnostic as its own check (so all errors show at
// once) and the permissions of the config file and of every file holding a secret.
#include "pga/cli/validate/checks.hpp"

#include "pga/util/files.hpp"

#include <cstdio>

namespace pga::cli::validate {

namespace {

std::string octal(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

void check_secret_file(const std::string& key, const std::string& path, Report& report) {
    if (path.empty()) {
        return;
    }
    const auto mode = util::file_mode(path);
    if (!mode) {
        return; // the loader already reported an unreadable file
    }
    if ((*mode & 077) != 0) {
        report.warning("config", "config.permissions",
                       key + " " + path + " is accessible by group or others (mode " + octal(*mode) + ")",
                       "run: chmod 600 " + path);
    } else {
        report.ok("config", "config.permissions", key + " " + path + " is private (mode " + octal(*mode) + ")");
    }
}

void check_config_file_mode(const std::string& path, Report& report) {
    const auto mode = util::file_mode(path);
    if (!mode) {
        return;
    }
    if ((*mode & 022) != 0) {
        report.warning("config", "config.permissions",
                       path + " is writable by group or others (mode " + octal(*mode) + ")", "run: chmod 600 " + path);
        return;
    }
    report.ok("config", "config.permissions", path + " mode " + octal(*mode));
}

} // namespace

void check_config(const config::LoadResult& loaded, const std::string& path, Report& report) {
    bool had_error = false;
    for (const auto& d : loaded.diagnostics) {
        std::string where = d.file;
        if (d.line > 0) {
            where += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
        }
        const std::string message = where + ": " + d.message;
        if (d.severity == config::Severity::error) {
            had_error = true;
            report.error("config", "config.load", message, d.hint);
        } else {
            report.warning("config", "config.load", message, d.hint);
        }
    }
    if (!had_error) {
        report.ok("config", "config.load", "loaded " + path);
    }
    check_config_file_mode(path, report);
    const auto& c = loaded.config;
    check_secret_file("postgresql.password_file", c.postgresql.password_file, report);
    check_secret_file("backend.token_file", c.backend.token_file, report);
    check_secret_file("backend.registration_secret_file", c.backend.registration_secret_file, report);
    check_secret_file("tls.key_file", c.tls.key_file, report);
}

} // namespace pga::cli::validate
