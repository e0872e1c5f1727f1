// pga-healthcheck's pure logic: from the status file (JSON), the lock holder's liveness and RSS,
// and a short RSS history, compute the monitoring-plugin state, summary and perfdata, and walk the
// deployment guide's rollback decision tree. No I/O here, so unit tests drive it directly.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pga::cli::healthcheck {

enum State { k_ok = 0, k_warning = 1, k_critical = 2, k_unknown = 3 };

// Returns "OK", "WARNING", "CRITICAL" or "UNKNOWN".
const char* state_name(int state);

// Thresholds; defaults are the deployment guide's values (cycle < 15 s, rollback > 20 s, reuse
// > 80%, CPU < 50%, ~100-150 MB RSS, metrics within 2 minutes).
struct Thresholds {
    double cycle_age_warn_intervals = 3; // last cycle older than N collect intervals
    double cycle_age_crit_intervals = 10;
    double cycle_ms_warn = 15000;
    double cycle_ms_crit = 20000;
    double push_age_warn_s = 120;
    double push_age_crit_s = 600;
    double rss_warn_mib = 150;
    double rss_crit_mib = 512;
    double rss_growth_warn_pct = 10; // growth across the history window, when monotonic
    double reuse_warn_pct = 80;
    double cpu_warn_pct = 50;
    double cpu_crit_pct = 90;
    double spool_warn_pct = 50; // of spool.max_size_mib
    double spool_crit_pct = 90;
};

// One RSS sample of the running loop, kept across healthcheck runs.
struct Sample {
    std::int64_t unix_s = 0;
    std::int64_t pid = 0;
    std::int64_t rss_bytes = 0;
    std::int64_t cycle_ms = 0;
};

struct Inputs {
    bool running = false; // a live process holds the lock
    std::int64_t pid = 0;
    std::optional<nlohmann::json> status; // the status file, when readable
    std::string status_error;
    std::optional<std::int64_t> rss_bytes; // of the lock holder, now
    std::vector<Sample> history;           // oldest first, this pid only
    std::int64_t now_unix_s = 0;
    std::int64_t interval_s = 60;
    std::int64_t spool_max_mib = 256;
};

struct Finding {
    std::string name; // running, cycle_age, cycle_duration, push_age, spool, auth, errors, rss, rss_growth,
                      // pool_reuse, cpu
    int state = k_ok;
    std::string message;
};

struct Perf {
    std::string label;
    double value = 0;
    std::string unit; // "s", "B", "%", "" (count)
    std::optional<double> warn;
    std::optional<double> crit;
};

struct Evaluation {
    int state = k_ok;
    std::vector<Finding> findings;
    std::vector<Perf> perf;
};

// Evaluates the inputs against the thresholds.
Evaluation evaluate(const Inputs& in, const Thresholds& t);

// Returns "STATE - summary | perfdata" (the summary lists the non-OK findings, else a short status).
std::string plugin_line(const Evaluation& e);

// Returns one perfdata item: 'label'=value[unit];warn;crit
std::string format_perf(const Perf& p);

// Returns the node_exporter textfile body (pganalytics_healthcheck_* gauges).
std::string textfile(const Evaluation& e);

struct Decision {
    bool rollback = false;
    std::string branch; // the decision tree branch that decided
    std::string why;
};

// Walks the guide's rollback decision tree on an evaluation and its history.
Decision decide(const Evaluation& e, const Inputs& in, const Thresholds& t);

// Returns true when the RSS samples grow monotonically by more than pct percent (needs >= 4).
bool rss_growing(const std::vector<Sample>& history, double pct);

} // namespace pga::cli::healthcheck
