// The cycle-time chart: see chart.hpp.
#include "pga/cli/bench/chart.hpp"

#include "pga/cli/bench/summary.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace pga::cli::bench {

namespace {

constexpr double k_width = 800;
constexpr double k_left = 70;
constexpr double k_right = 20;
constexpr double k_plot_w = k_width - k_left - k_right;
constexpr int k_bins = 20;

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string escape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

} // namespace

std::string cycle_chart_svg(const std::vector<double>& wall_ms, const std::string& title) {
    const auto s = summarize(wall_ms);
    const double lo = s.count > 0 ? s.min : 0;
    const double hi = s.count > 0 && s.max > s.min ? s.max : lo + 1;
    const double bin_w = (hi - lo) / k_bins;
    std::vector<int> bins(k_bins, 0);
    for (const double v : wall_ms) {
        bins[std::min(k_bins - 1, static_cast<int>((v - lo) / bin_w))]++;
    }
    const int top = std::max(1, *std::max_element(bins.begin(), bins.end()));
    const auto x_of = [&](double v) { return k_left + (v - lo) / (hi - lo) * k_plot_w; };

    std::ostringstream o;
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"460\" viewBox=\"0 0 800 460\" "
         "font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"800\" height=\"460\" fill=\"white\"/>\n"
      << "<text x=\"400\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << escape(title) << "</text>\n";
    // Histogram: y 40..260.
    const double h_top = 40;
    const double h_bottom = 260;
    for (int i = 0; i < k_bins; ++i) {
        const double h = (h_bottom - h_top) * bins[i] / top;
        o << "<rect x=\"" << num(k_left + i * k_plot_w / k_bins + 1) << "\" y=\"" << num(h_bottom - h) << "\" width=\""
          << num(k_plot_w / k_bins - 2) << "\" height=\"" << num(h) << "\" fill=\"#4e79a7\"><title>" << bins[i]
          << " cycles</title></rect>\n";
    }
    o << "<line x1=\"" << k_left << "\" y1=\"" << h_bottom << "\" x2=\"" << k_left + k_plot_w << "\" y2=\"" << h_bottom
      << "\" stroke=\"black\"/>\n";
    for (const auto& [label, value, colour] :
         {std::tuple{"p50", s.p50, "#59a14f"}, std::tuple{"p95", s.p95, "#e15759"}}) {
        o << "<line x1=\"" << num(x_of(value)) << "\" y1=\"" << h_top << "\" x2=\"" << num(x_of(value)) << "\" y2=\""
          << h_bottom << "\" stroke=\"" << colour << "\" stroke-dasharray=\"4 3\"/>\n"
          << "<text x=\"" << num(x_of(value) + 3) << "\" y=\"" << h_top + 12 << "\" fill=\"" << colour << "\">" << label
          << " " << num(value) << " ms</text>\n";
    }
    o << "<text x=\"" << k_left << "\" y=\"278\">" << num(lo) << " ms</text>\n"
      << "<text x=\"" << k_left + k_plot_w << "\" y=\"278\" text-anchor=\"end\">" << num(hi) << " ms</text>\n"
      << "<text x=\"20\" y=\"150\" transform=\"rotate(-90 20 150)\" text-anchor=\"middle\">cycles</text>\n";
    // Run order: y 310..430.
    const double r_top = 310;
    const double r_bottom = 430;
    const double r_hi = std::max(hi, 1.0);
    std::string points;
    for (std::size_t i = 0; i < wall_ms.size(); ++i) {
        const double x =
            k_left +
            (wall_ms.size() > 1 ? static_cast<double>(i) / static_cast<double>(wall_ms.size() - 1) : 0) * k_plot_w;
        const double y = r_bottom - (r_bottom - r_top) * wall_ms[i] / r_hi;
        points += num(x) + "," + num(y) + " ";
    }
    o << "<text x=\"" << k_left << "\" y=\"300\">cycle time in run order (0 to " << num(r_hi) << " ms)</text>\n"
      << "<line x1=\"" << k_left << "\" y1=\"" << r_bottom << "\" x2=\"" << k_left + k_plot_w << "\" y2=\"" << r_bottom
      << "\" stroke=\"black\"/>\n"
      << "<polyline fill=\"none\" stroke=\"#4e79a7\" points=\"" << points << "\"/>\n"
      << "<text x=\"" << k_left + k_plot_w << "\" y=\"448\" text-anchor=\"end\">" << wall_ms.size()
      << " cycles</text>\n"
      << "</svg>\n";
    return o.str();
}

} // namespace pga::cli::bench
