// pganalytics: the collector service. Parses argv (CLI11) and calls one function of pga_core.
#include "pga/cli/common.hpp"
#include "pga/cli/cron.hpp"
#include "pga/cli/exit_codes.hpp"
#include "pga/cli/register.hpp"
#include "pga/cli/validate_config.hpp"
#include "pga/config/sample.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
    using namespace pga::cli;
    CLI::App app{"pganalytics: PostgreSQL metrics collector for the pgAnalytics backend", "pganalytics"};
    app.fallthrough(); // before add_subcommand: `pganalytics cron -c FILE` works like `pganalytics -c FILE cron`
    std::optional<std::string> config_path;
    std::string log_level;
    bool validate = false;
    bool print_sample = false;
    app.add_option("-c,--config", config_path,
                   "Configuration file (default: $PGANALYTICS_CONFIG, else "
                   "/etc/pganalytics/collector.toml)");
    app.add_option("--log-level", log_level, "Override [collector] log_level")
        ->check(CLI::IsMember({"trace", "debug", "info", "warning", "warn", "error", "critical", "off"}));
    app.add_flag("--validate-config", validate, "Load and check the configuration, print a summary, exit");
    app.add_flag("--print-sample-config", print_sample, "Print the commented sample configuration, exit");
    app.set_version_flag("--version", version_line("pganalytics"));

    auto* cron = app.add_subcommand("cron", "Run the collection loop until SIGTERM (the service)");
    bool once = false;
    bool dry_run = false;
    cron->add_flag("--once", once, "Run exactly one cycle, then exit");
    cron->add_flag("--dry-run", dry_run, "Print the batch JSON to stdout and send nothing");
    auto* reg = app.add_subcommand("register", "Register with the backend and store the identity in state_dir");
    bool force = false;
    reg->add_flag("--force", force, "Register again even when an identity exists");
    app.require_subcommand(0, 1);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? k_exit_ok : k_exit_usage;
    }
    if (print_sample) {
        std::cout << pga::config::sample_config(registered_metrics());
        return k_exit_ok;
    }
    if (validate) {
        return validate_config(config_path, std::cout, std::cerr);
    }
    if (reg->parsed()) {
        return run_register(config_path, force, std::cout, std::cerr);
    }
    if (cron->parsed()) {
        return pga::cli::cron({config_path, log_level, once, dry_run}, std::cout, std::cerr);
    }
    std::cerr << app.help();
    return k_exit_usage;
}
