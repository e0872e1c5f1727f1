// Process metrics from /proc: see process_stats.hpp.
#include "pga/exporter/process_stats.hpp"

#include "pga/util/files.hpp"

#include <filesystem>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace pga::exporter {

namespace {

double boot_time() {
    std::string why;
    const auto text = util::try_read_file("/proc/stat", &why);
    if (!text) {
        return 0;
    }
    std::istringstream in(*text);
    std::string key;
    while (in >> key) {
        if (key == "btime") {
            double value = 0;
            in >> value;
            return value;
        }
    }
    return 0;
}

double count_fds() {
    std::error_code ec;
    double n = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) {
        ++n;
    }
    return n;
}

} // namespace

std::optional<ProcessStats> parse_proc_stat(std::string_view text, long ticks_per_s, long page_size,
                                            double boot_time_s) {
    const auto paren = text.rfind(')');
    if (paren == std::string_view::npos || ticks_per_s <= 0) {
        return std::nullopt;
    }
    std::istringstream in(std::string(text.substr(paren + 1)));
    std::vector<std::string> fields; // fields[0] is field 3 (state)
    for (std::string f; in >> f;) {
        fields.push_back(f);
    }
    if (fields.size() < 22) {
        return std::nullopt;
    }
    try {
        const auto field = [&](int n) { return std::stod(fields[static_cast<std::size_t>(n - 3)]); };
        const auto ticks = static_cast<double>(ticks_per_s);
        ProcessStats s;
        s.cpu_seconds = (field(14) + field(15)) / ticks;
        s.start_time_seconds = boot_time_s + field(22) / ticks;
        s.virtual_bytes = field(23);
        s.resident_bytes = field(24) * static_cast<double>(page_size);
        return s;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<ProcessStats> read_process_stats() {
    std::string why;
    const auto text = util::try_read_file("/proc/self/stat", &why);
    if (!text) {
        return std::nullopt;
    }
    auto s = parse_proc_stat(*text, ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE), boot_time());
    if (s) {
        s->open_fds = count_fds();
        rlimit limit{};
        if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
            s->max_fds = static_cast<double>(limit.rlim_cur);
        }
    }
    return s;
}

} // namespace pga::exporter
