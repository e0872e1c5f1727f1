// pga-validate: pre-deployment and pre-upgrade checks. Parses argv (CLI11) and calls one function of pga_core.
#include "pga/cli/common.hpp"
#include "pga/cli/exit_codes.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
    using namespace pga::cli;
    CLI::App app{"pga-validate: pre-deployment and pre-upgrade checks", "pga-validate"};
    std::optional<std::string> config_path;
    app.add_option("-c,--config", config_path, "Configuration file");
    app.set_version_flag("--version", version_line("pga-validate"));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? k_exit_ok : k_exit_usage;
    }
    std::cerr << "pga-validate: not available in this build yet\n";
    return k_exit_failure;
}
