// The pga-validate report: see report.hpp.
#include "pga/cli/validate/report.hpp"

#include <ostream>

namespace pga::cli::validate {

const char* status_name(Status s) {
    switch (s) {
    case Status::ok: return "ok";
    case Status::warning: return "warning";
    case Status::error: return "error";
    case Status::skipped: return "skipped";
    }
    return "error";
}

void Report::add(Check check) {
    checks_.push_back(std::move(check));
}

void Report::ok(const std::string& section, const std::string& name, const std::string& message) {
    add({section, name, Status::ok, message, ""});
}

void Report::warning(const std::string& section, const std::string& name, const std::string& message,
                     const std::string& hint) {
    add({section, name, Status::warning, message, hint});
}

void Report::error(const std::string& section, const std::string& name, const std::string& message,
                   const std::string& hint) {
    add({section, name, Status::error, message, hint});
}

void Report::skipped(const std::string& section, const std::string& name, const std::string& why) {
    add({section, name, Status::skipped, why, ""});
}

int Report::count(Status s) const {
    int n = 0;
    for (const auto& c : checks_) {
        n += c.status == s ? 1 : 0;
    }
    return n;
}

int Report::exit_code() const {
    if (count(Status::error) > 0) {
        return 2;
    }
    return count(Status::warning) > 0 ? 1 : 0;
}

namespace {

const char* colour_of(Status s) {
    switch (s) {
    case Status::ok: return "\033[32m";
    case Status::warning: return "\033[33m";
    case Status::error: return "\033[31m";
    case Status::skipped: return "\033[2m";
    }
    return "";
}

std::string padded(const std::string& s, std::size_t width) {
    return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

} // namespace

void render_human(const Report& report, std::ostream& out, bool colour) {
    std::string section;
    for (const auto& c : report.checks()) {
        if (c.section != section) {
            section = c.section;
            out << (colour ? "\033[1m" : "") << section << (colour ? "\033[0m" : "") << "\n";
        }
        const std::string label = padded(status_name(c.status), 8);
        out << "  " << (colour ? colour_of(c.status) : "") << label << (colour ? "\033[0m" : "") << padded(c.name, 30)
            << c.message << "\n";
        if (!c.hint.empty()) {
            out << "          " << std::string(30, ' ') << "hint: " << c.hint << "\n";
        }
    }
    out << "summary: " << report.count(Status::ok) << " ok, " << report.count(Status::warning) << " warnings, "
        << report.count(Status::error) << " errors, " << report.count(Status::skipped) << " skipped\n";
}

nlohmann::json to_json(const Report& report) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : report.checks()) {
        nlohmann::json j{
            {"section", c.section}, {"name", c.name}, {"status", status_name(c.status)}, {"message", c.message}};
        if (!c.hint.empty()) {
            j["hint"] = c.hint;
        }
        checks.push_back(std::move(j));
    }
    return {{"checks", checks},
            {"summary",
             {{"ok", report.count(Status::ok)},
              {"warning", report.count(Status::warning)},
              {"error", report.count(Status::error)},
              {"skipped", report.count(Status::skipped)}}},
            {"exit_code", report.exit_code()}};
}

} // namespace pga::cli::validate
