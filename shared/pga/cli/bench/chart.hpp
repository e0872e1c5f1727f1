// `pga-bench --chart FILE.svg`: the cycle-time distribution as a standalone SVG (a histogram
// with the p50 and p95 marked, and the cycle times in run order beneath it to show drift).
#pragma once

#include <string>
#include <vector>

namespace pga::cli::bench {

// Returns the SVG document for the measured cycle wall times (ms), in run order.
std::string cycle_chart_svg(const std::vector<double>& wall_ms, const std::string& title);

} // namespace pga::cli::bench
