// pga-diag: writes the diagnostic bundle. Parses argv (CLI11) and calls one function of pga_core.
#include "pga/cli/common.hpp"
#include "pga/cli/diag/diag.hpp"
#include "pga/cli/exit_codes.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
    using namespace pga::cli;
    CLI::App app{"pga-diag: write pganalytics-diag-<host>-<time>.tar.gz (mode 0600, secrets redacted)\n"
                 "exit codes: 0 written, 1 failed or a secret was found, 2 usage, 78 invalid config",
                 "pga-diag"};
    diag::Options o;
    app.add_option("-c,--config", o.config_path, "Configuration file");
    app.add_option("--output", o.output_dir, "Directory to write the bundle to")->capture_default_str();
    app.add_option("--since", o.since, "Include log lines of this last period (90m, 24h, 2d)")->capture_default_str();
    app.add_flag("--json", o.json, "Print the bundle path as JSON");
    app.set_version_flag("--version", version_line("pga-diag"));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? k_exit_ok : k_exit_usage;
    }
    return diag::diag_main(o, std::cout, std::cerr);
}
