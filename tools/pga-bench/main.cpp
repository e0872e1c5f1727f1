// pga-bench: cycle-time benchmark. Parses argv (CLI11) and calls one function of pga_core.
#include "pga/cli/bench/bench.hpp"
#include "pga/cli/common.hpp"
#include "pga/cli/exit_codes.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
    using namespace pga::cli;
    CLI::App app{"pga-bench: cycle-time benchmark of the real collection code\n"
                 "exit codes: 0 done, 1 could not run (or a target missed with --check), 2 usage, "
                 "78 invalid configuration",
                 "pga-bench"};
    bench::Options o;
    auto& t = o.targets;
    app.add_option("-c,--config", o.config_path, "Configuration file (the server to benchmark)");
    app.add_option("-n,--cycles", o.cycles, "Measured cycles")->check(CLI::Range(1, 100000))->capture_default_str();
    app.add_option("--warmup", o.warmup, "Cycles run first and left out of the figures")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    app.add_option("--scale", o.scale, "Build a throwaway cluster with N databases and benchmark it")
        ->check(CLI::Range(1, 1000));
    app.add_option("--tables", o.tables, "Tables per database (--scale)")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    app.add_option("--rows", o.rows, "Rows per table (--scale)")->check(CLI::Range(0, 10000000))->capture_default_str();
    app.add_option("--statements", o.statements,
                   "Distinct statements in pg_stat_statements, spread over the databases (--scale; default 100 "
                   "per database)")
        ->check(CLI::Range(0, 1000000));
    app.add_option("--pg-bin", o.pg_bin, "PostgreSQL server programs for --scale (default: newest installed)");
    app.add_flag("--keep", o.keep, "Keep the throwaway cluster's directory (--scale)");
    app.add_option("--types", o.types, "Only these metric types (comma-separated)")->delimiter(',');
    app.add_option("--threads", o.threads, "Override [threading] thread_pool_size")->check(CLI::Range(1, 256));
    app.add_option("--pool-max", o.pool_max_size, "Override [postgresql] pool_max_size")->check(CLI::Range(1, 1000));
    app.add_flag("--push", o.push, "Push every batch to the configured backend (private spool)");
    app.add_flag("--floor", o.floor,
                 "Replay the last cycle's SQL with a bare libpq client: the floor and our overhead");
    app.add_option("--compare-exporter", o.compare_exporter,
                   "Also measure this postgres_exporter binary on the throwaway cluster (--scale)");
    app.add_flag("--json", o.json, "Print the result as JSON");
    app.add_option("--chart", o.chart, "Write the cycle-time distribution as SVG to FILE");
    app.add_flag("--check", o.check, "Exit 1 when a target is missed");
    app.add_option("--target-p50-ms", t.p50_ms, "Target: cycle wall time p50 at most (ms)");
    app.add_option("--target-p95-ms", t.p95_ms, "Target: cycle wall time p95 at most (ms)");
    app.add_option("--target-rss-mib", t.rss_mib, "Target: peak RSS at most (MiB)");
    app.add_option("--target-cpu-ms", t.cpu_ms, "Target: CPU time per cycle p50 at most (ms)");
    app.add_option("--target-reuse-pct", t.reuse_pct, "Target: pool reuse after warm-up at least (%)");
    app.add_option("--target-overhead", t.overhead, "Target: cycle p50 / floor p50 at most (with --floor)");
    app.add_flag("-v,--verbose", o.verbose, "Log the collector's info messages");
    app.set_version_flag("--version", version_line("pga-bench"));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? k_exit_ok : k_exit_usage;
    }
    return bench::bench_main(o, std::cout, std::cerr);
}
