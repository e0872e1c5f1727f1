// The result model of pga-validate: one Check per thing verified (section, name, status, a
// one-line message and an optional hint), collected in a Report that knows its exit code and
// renders itself for a terminal (colour only when asked) or as JSON for machines and pga-diag.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pga::cli::validate {

enum class Status { ok, warning, error, skipped };

// Returns "ok", "warning", "error" or "skipped".
const char* status_name(Status s);

struct Check {
    std::string section; // config, postgresql, backend, tls, system
    std::string name;    // short dotted id ("postgresql.version")
    Status status = Status::ok;
    std::string message; // one line, no secrets
    std::string hint;    // optional likely fix
};

class Report {
public:
    void ok(const std::string& section, const std::string& name, const std::string& message);
    void warning(const std::string& section, const std::string& name, const std::string& message,
                 const std::string& hint = "");
    void error(const std::string& section, const std::string& name, const std::string& message,
               const std::string& hint = "");
    void skipped(const std::string& section, const std::string& name, const std::string& why);
    void add(Check check);

    const std::vector<Check>& checks() const { return checks_; }
    // Returns how many checks have status s.
    int count(Status s) const;
    // Returns 0 when every check is ok or skipped, 1 with warnings only, 2 with any error.
    int exit_code() const;

private:
    std::vector<Check> checks_;
};

// Writes the report for a terminal, grouped by section; ANSI colours only when colour is true.
void render_human(const Report& report, std::ostream& out, bool colour);

// Returns the report as {"checks":[...],"summary":{...},"exit_code":N}.
nlohmann::json to_json(const Report& report);

} // namespace pga::cli::validate
