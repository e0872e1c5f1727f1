// Benchmark order statistics: see summary.hpp.
#include "pga/cli/bench/summary.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pga::cli::bench {

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) {
        return 0;
    }
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

Summary summarize(std::vector<double> values) {
    Summary s;
    if (values.empty()) {
        return s;
    }
    std::sort(values.begin(), values.end());
    s.count = values.size();
    s.min = values.front();
    s.max = values.back();
    s.p50 = percentile(values, 50);
    s.p95 = percentile(values, 95);
    s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    return s;
}

nlohmann::json to_json(const Summary& s) {
    return {{"count", s.count}, {"min", s.min}, {"p50", s.p50}, {"p95", s.p95}, {"max", s.max}, {"mean", s.mean}};
}

} // namespace pga::cli::bench
