// sysstat: host CPU, memory, load and disk I/O from /proc. CPU percentages and disk rates are
// deltas between this run and the previous one (the first run takes two samples a moment apart),
// never averages since boot; raw disk counters are sent too, marked cumulative.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/collectors/file_reader.hpp"
#include "pga/collectors/proc_parse.hpp"

#include <chrono>
#include <mutex>

namespace pga::collectors {

class SysstatCollector final : public collect::Collector {
public:
    // Reads /proc through reader; first_delay separates the two samples of the first run.
    explicit SysstatCollector(FileReader reader = real_file_reader(),
                              std::chrono::milliseconds first_delay = std::chrono::milliseconds(250));
    void collect(const collect::Context& ctx, collect::Output& out) override;

private:
    struct Sample {
        std::optional<CpuTimes> cpu;
        std::vector<DiskStat> disks;
        std::chrono::steady_clock::time_point at;
    };
    Sample sample() const;
    nlohmann::json disks_json(const Sample& now, double seconds) const;

    FileReader read_;
    std::chrono::milliseconds first_delay_;
    std::mutex mutex_;
    std::optional<Sample> previous_;
};

} // namespace pga::collectors
