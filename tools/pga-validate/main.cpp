// pga-validate: pre-deployment and pre-upgrade checks. Parses argv (CLI11) and calls one function of pga_core.
#include "pga/cli/common.hpp"
#include "pga/cli/exit_codes.hpp"
#include "pga/cli/validate/validate.hpp"
#include "pga/util/strings.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
    using namespace pga::cli;
    CLI::App app{"pga-validate: pre-deployment and pre-upgrade checks\n"
                 "exit codes: 0 all ok, 1 warnings only, 2 any error (or a usage error)",
                 "pga-validate"};
    validate::Options options;
    std::vector<std::string> only;
    app.add_option("-c,--config", options.config_path, "Configuration file");
    app.add_option("--only", only, "Run only these sections: config, postgresql, backend, tls, system")->delimiter(',');
    app.add_flag("--json", options.json, "Print the results as JSON");
    app.set_version_flag("--version", version_line("pga-validate"));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? k_exit_ok : k_exit_usage;
    }
    options.only = only;
    return validate::validate_main(options, std::cout, std::cerr);
}
