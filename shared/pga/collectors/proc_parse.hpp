// Parsers of the /proc files sysstat reads (stat, meminfo, loadavg, diskstats), working on text
// so unit tests can feed fixtures. Counters are returned raw; rates and percentages are computed
// from two samples by the caller.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pga::collectors {

// The aggregate "cpu" line of /proc/stat in clock ticks, and the number of "cpuN" lines.
struct CpuTimes {
    static constexpr std::array<const char*, 8> k_names = {"user",   "nice", "system",  "idle",
                                                           "iowait", "irq",  "softirq", "steal"};
    std::array<std::uint64_t, 8> ticks{};
    int cores = 0;
};

// Returns the aggregate CPU times, or nullopt when the text has no "cpu" line.
std::optional<CpuTimes> parse_proc_stat(std::string_view text);

// Returns {"user_percent": .., ...} for the interval between two samples (each 0-100, summing to
// about 100); empty when no time passed.
std::map<std::string, double> cpu_percentages(const CpuTimes& before, const CpuTimes& after);

// Returns /proc/meminfo as key -> bytes (values given in kB are multiplied by 1024).
std::map<std::string, std::uint64_t> parse_meminfo(std::string_view text);

struct LoadAvg {
    double load1 = 0, load5 = 0, load15 = 0;
    std::int64_t running = 0, tasks = 0;
};

// Returns the load averages and runnable/total task counts, or nullopt when malformed.
std::optional<LoadAvg> parse_loadavg(std::string_view text);

struct DiskStat {
    std::string device;
    std::uint64_t reads = 0, sectors_read = 0, read_ms = 0;
    std::uint64_t writes = 0, sectors_written = 0, write_ms = 0;
    std::uint64_t in_flight = 0, io_ms = 0;
};

// Returns the block devices of /proc/diskstats, without loop, ram and zram devices.
std::vector<DiskStat> parse_diskstats(std::string_view text);

} // namespace pga::collectors
