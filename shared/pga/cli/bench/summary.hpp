// Order statistics of a benchmark series: min, p50, p95, max and mean (nearest-rank percentiles).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

namespace pga::cli::bench {

struct Summary {
    std::size_t count = 0;
    double min = 0;
    double p50 = 0;
    double p95 = 0;
    double max = 0;
    double mean = 0;
};

// Returns the summary of values (all zero when empty).
Summary summarize(std::vector<double> values);

// Returns the nearest-rank percentile p (0 < p <= 100) of sorted values; 0 when empty.
double percentile(const std::vector<double>& sorted, double p);

nlohmann::json to_json(const Summary& s);

} // namespace pga::cli::bench
