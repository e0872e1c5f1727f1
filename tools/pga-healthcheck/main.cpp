// pga-healthcheck: health of the running collector for cron and monitoring plugins. Parses argv
// (CLI11) and calls one function of pga_core.
#include "pga/cli/common.hpp"
#include "pga/cli/healthcheck/healthcheck.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
    using namespace pga::cli;
    CLI::App app{"pga-healthcheck: health of the running collector\n"
                 "exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage error: 2); "
                 "with --decide 0 CONTINUE, 2 ROLLBACK",
                 "pga-healthcheck"};
    healthcheck::Options o;
    auto& t = o.thresholds;
    app.add_option("-c,--config", o.config_path, "Configuration file");
    app.add_flag("--json", o.json, "Print the result as JSON");
    app.add_flag("--decide", o.decide, "Walk the rollback decision tree: print CONTINUE or ROLLBACK");
    app.add_option("--textfile", o.textfile, "Write node_exporter textfile-collector metrics to PATH (atomic)");
    app.add_option("--cycle-warn-ms", t.cycle_ms_warn, "Cycle duration warning threshold")->capture_default_str();
    app.add_option("--cycle-crit-ms", t.cycle_ms_crit, "Cycle duration critical threshold")->capture_default_str();
    app.add_option("--cycle-age-warn", t.cycle_age_warn_intervals, "Last cycle age warning, in intervals")
        ->capture_default_str();
    app.add_option("--cycle-age-crit", t.cycle_age_crit_intervals, "Last cycle age critical, in intervals")
        ->capture_default_str();
    app.add_option("--push-age-warn", t.push_age_warn_s, "Last successful push age warning (s)")->capture_default_str();
    app.add_option("--push-age-crit", t.push_age_crit_s, "Last successful push age critical (s)")
        ->capture_default_str();
    app.add_option("--rss-warn-mib", t.rss_warn_mib, "RSS warning (MiB)")->capture_default_str();
    app.add_option("--rss-crit-mib", t.rss_crit_mib, "RSS critical (MiB)")->capture_default_str();
    app.add_option("--rss-growth-pct", t.rss_growth_warn_pct, "RSS growth warning across recent samples (%)")
        ->capture_default_str();
    app.add_option("--reuse-warn-pct", t.reuse_warn_pct, "Pool reuse rate warning below (%)")->capture_default_str();
    app.add_option("--cpu-warn-pct", t.cpu_warn_pct, "CPU warning (%)")->capture_default_str();
    app.add_option("--cpu-crit-pct", t.cpu_crit_pct, "CPU critical (%)")->capture_default_str();
    app.set_version_flag("--version", version_line("pga-healthcheck"));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2; // usage errors are 2 in every tool (bats/cli.bats)
    }
    return healthcheck::healthcheck_main(o, std::cout, std::cerr);
}
