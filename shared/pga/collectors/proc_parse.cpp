// /proc parsers: see proc_parse.hpp.
#include "pga/collectors/proc_parse.hpp"

#include "pga/util/strings.hpp"

#include <sstream>

namespace pga::collectors {

namespace {

std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return out;
}

bool skipped_device(const std::string& name) {
    return util::starts_with(name, "loop") || util::starts_with(name, "ram") || util::starts_with(name, "zram");
}

} // namespace

std::optional<CpuTimes> parse_proc_stat(std::string_view text) {
    std::optional<CpuTimes> out;
    int cores = 0;
    for (const auto line : lines(text)) {
        if (util::starts_with(line, "cpu ")) {
            std::istringstream in{std::string(line.substr(4))};
            CpuTimes t;
            for (auto& v : t.ticks) {
                in >> v;
            }
            out = t;
        } else if (util::starts_with(line, "cpu") && line.size() > 3 && line[3] >= '0' && line[3] <= '9') {
            ++cores;
        }
    }
    if (out) {
        out->cores = cores;
    }
    return out;
}

std::map<std::string, double> cpu_percentages(const CpuTimes& before, const CpuTimes& after) {
    std::array<double, 8> delta{};
    double total = 0;
    for (std::size_t i = 0; i < delta.size(); ++i) {
        delta[i] = after.ticks[i] >= before.ticks[i] ? static_cast<double>(after.ticks[i] - before.ticks[i]) : 0.0;
        total += delta[i];
    }
    std::map<std::string, double> out;
    if (total <= 0) {
        return out;
    }
    for (std::size_t i = 0; i < delta.size(); ++i) {
        out[std::string(CpuTimes::k_names[i]) + "_percent"] = delta[i] * 100.0 / total;
    }
    return out;
}

std::map<std::string, std::uint64_t> parse_meminfo(std::string_view text) {
    std::map<std::string, std::uint64_t> out;
    for (const auto line : lines(text)) {
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            continue;
        }
        std::istringstream in{std::string(line.substr(colon + 1))};
        std::uint64_t value = 0;
        std::string unit;
        if (in >> value) {
            in >> unit;
            out[std::string(line.substr(0, colon))] = unit == "kB" ? value * 1024 : value;
        }
    }
    return out;
}

std::optional<LoadAvg> parse_loadavg(std::string_view text) {
    std::istringstream in{std::string(text)};
    LoadAvg l;
    char slash = 0;
    if (!(in >> l.load1 >> l.load5 >> l.load15 >> l.running >> slash >> l.tasks) || slash != '/') {
        return std::nullopt;
    }
    return l;
}

std::vector<DiskStat> parse_diskstats(std::string_view text) {
    std::vector<DiskStat> out;
    for (const auto line : lines(text)) {
        std::istringstream in{std::string(line)};
        std::uint64_t major = 0, minor = 0, reads_merged = 0, writes_merged = 0;
        DiskStat d;
        if (!(in >> major >> minor >> d.device >> d.reads >> reads_merged >> d.sectors_read >> d.read_ms >> d.writes >>
              writes_merged >> d.sectors_written >> d.write_ms >> d.in_flight >> d.io_ms)) {
            continue;
        }
        if (!skipped_device(d.device)) {
            out.push_back(std::move(d));
        }
    }
    return out;
}

} // namespace pga::collectors
