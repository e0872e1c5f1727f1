// `pga-bench`: runs N cycles of the real collection code against the configured server, or
// against a throwaway cluster it builds (--scale N), and reports cycle and per-type figures
// against the deployment guide's targets. Exit codes: 0 done (targets reported), 1 the benchmark
// could not run or, with --check, a target was missed, 2 usage, 78 invalid configuration.
#pragma once

#include "pga/cli/bench/report.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace pga::cli::bench {

struct Options {
    std::optional<std::string> config_path;
    int cycles = 10;
    int warmup = 1;
    int scale = 0; // databases of a throwaway cluster; 0: the configured server
    int tables = 20;
    int rows = 1000;
    std::optional<int> statements; // default: 100 per database
    std::string pg_bin;
    bool keep = false;
    std::vector<std::string> types; // only these metric types (default: every enabled one)
    std::optional<int> threads;
    std::optional<int> pool_max_size;
    bool push = false;
    std::optional<std::string> compare_exporter; // postgres_exporter binary (--scale only)
    bool floor = false;                          // replay the last cycle's SQL as the floor
    bool json = false;
    bool check = false;
    bool verbose = false;
    std::optional<std::string> chart;
    ExtraTargets targets;
};

int bench_main(const Options& options, std::ostream& out, std::ostream& err);

} // namespace pga::cli::bench
