// pga-validate's driver: loads the config once, runs every selected section, prints: see validate.hpp.
#include "pga/cli/validate/validate.hpp"

#include "pga/cli/common.hpp"
#include "pga/cli/validate/checks.hpp"
#include "pga/version.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>

namespace pga::cli::validate {

namespace {

bool wanted(const std::vector<std::string>& only, const std::string& section) {
    return only.empty() || std::find(only.begin(), only.end(), section) != only.end();
}

} // namespace

bool is_section(const std::string& section) {
    return std::any_of(std::begin(k_sections), std::end(k_sections), [&](const char* s) { return section == s; });
}

Report run(const std::optional<std::string>& config_path, const std::vector<std::string>& only) {
    Report report;
    const auto env = config::process_env();
    const std::string path = config::resolve_config_path(config_path, env);
    const auto loaded = config::load_file(path, registered_metrics(), env);
    if (wanted(only, "config")) {
        check_config(loaded, path, report);
    }
    const auto& c = loaded.config;
    const auto guarded = [&](const char* section, void (*fn)(const config::Config&, Report&)) {
        if (!wanted(only, section)) {
            return;
        }
        try {
            fn(c, report);
        } catch (const std::exception& e) {
            report.error(section, std::string(section) + ".internal", e.what());
        }
    };
    guarded("postgresql", check_postgresql);
    guarded("backend", check_backend);
    guarded("tls", check_tls);
    guarded("system", check_system);
    return report;
}

int validate_main(const Options& options, std::ostream& out, std::ostream& err) {
    for (const auto& s : options.only) {
        if (!is_section(s)) {
            err << "pga-validate: unknown section '" << s
                << "'\nhint: use config, postgresql, backend, tls or system\n";
            return 2;
        }
    }
    const Report report = run(options.config_path, options.only);
    if (options.json) {
        auto j = to_json(report);
        j["tool"] = "pga-validate";
        j["version"] = k_version;
        out << j.dump(2) << "\n";
    } else {
        const bool tty = &out == &std::cout && isatty(STDOUT_FILENO) == 1;
        render_human(report, out, tty);
    }
    return report.exit_code();
}

} // namespace pga::cli::validate
