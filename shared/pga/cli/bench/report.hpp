// The pga-bench report: the summary of a run, the deployment guide's targets for its scale (and
// any the caller sets), printed as a table for people or as JSON for machines.
#pragma once

#include "pga/cli/bench/exporter_compare.hpp"
#include "pga/cli/bench/floor.hpp"
#include "pga/cli/bench/runner.hpp"
#include "pga/cli/bench/summary.hpp"

#include <iosfwd>
#include <optional>

namespace pga::cli::bench {

// Targets set on the command line (issue-8 style budgets); unset ones are not checked.
struct ExtraTargets {
    std::optional<double> p50_ms;
    std::optional<double> p95_ms;
    std::optional<double> rss_mib;
    std::optional<double> cpu_ms; // CPU per cycle, p50
    std::optional<double> reuse_pct;
    std::optional<double> overhead; // cycle p50 / floor p50, at most
};

struct Target {
    std::string name;   // e.g. "cycle p95"
    std::string source; // "guide" or "option"
    std::string unit;
    double limit = 0;
    double actual = 0;
    bool at_most = true; // actual <= limit passes; false: actual >= limit passes
    bool met() const { return at_most ? actual <= limit : actual >= limit; }
};

// The figures of a run, computed once for every output.
struct Report {
    const BenchResult* result = nullptr;
    int interval_s = 60;
    Summary wall_ms, cpu_ms, rows, payload, payload_gzip, connections_opened;
    double reuse_pct = 0; // measured cycles
    int peak_connections = 0;
    std::optional<double> server_ms_per_cycle;
    std::vector<Target> targets;
    nlohmann::json scale; // the throwaway cluster's spec, null when benchmarking a configured server
    std::optional<FloorResult> floor;
    std::optional<double> overhead; // cycle wall p50 / floor p50
    std::optional<PeerComparison> peer;
};

// Adds the floor to a report (and its overhead target when extra.overhead is set).
void add_floor(Report& r, const FloorResult& floor, const ExtraTargets& extra);

// Returns the report of result; interval_s is the collector interval (for CPU as a share of it).
Report make_report(const BenchResult& result, int interval_s, const ExtraTargets& extra);

// Returns the deployment guide's targets for a number of monitored databases.
std::vector<Target> guide_targets(std::size_t databases, const Report& figures);

// Prints the human table (colour when colour is true).
void print_text(const Report& r, std::ostream& out, bool colour);

// Returns the JSON document of --json.
nlohmann::json to_json(const Report& r);

} // namespace pga::cli::bench
