// sysstat: see sysstat.hpp.
#include "pga/collectors/sysstat.hpp"

#include "pga/collectors/factories.hpp"

#include <thread>

namespace pga::collectors {

namespace {

nlohmann::json memory_json(const std::map<std::string, std::uint64_t>& m) {
    const auto get = [&](const char* key) -> nlohmann::json {
        const auto it = m.find(key);
        return it == m.end() ? nlohmann::json(nullptr) : nlohmann::json(it->second);
    };
    nlohmann::json o = {{"total_bytes", get("MemTotal")},         {"free_bytes", get("MemFree")},
                        {"available_bytes", get("MemAvailable")}, {"buffers_bytes", get("Buffers")},
                        {"cached_bytes", get("Cached")},          {"swap_total_bytes", get("SwapTotal")},
                        {"swap_free_bytes", get("SwapFree")}};
    const auto total = m.find("MemTotal");
    const auto available = m.find("MemAvailable");
    o["used_bytes"] = total != m.end() && available != m.end() && total->second >= available->second
                          ? nlohmann::json(total->second - available->second)
                          : nlohmann::json(nullptr);
    return o;
}

double rate(std::uint64_t now, std::uint64_t before, double seconds) {
    return now >= before ? static_cast<double>(now - before) / seconds : 0.0;
}

nlohmann::json disk_json(const DiskStat& d, const DiskStat* before, double seconds) {
    nlohmann::json o = {{"device", d.device},
                        {"reads", d.reads},
                        {"writes", d.writes},
                        {"read_bytes", d.sectors_read * 512},
                        {"write_bytes", d.sectors_written * 512},
                        {"read_ms", d.read_ms},
                        {"write_ms", d.write_ms},
                        {"io_ms", d.io_ms},
                        {"in_flight", d.in_flight}};
    const bool have = before != nullptr && seconds > 0;
    o["reads_per_s"] = have ? nlohmann::json(rate(d.reads, before->reads, seconds)) : nlohmann::json(nullptr);
    o["writes_per_s"] = have ? nlohmann::json(rate(d.writes, before->writes, seconds)) : nlohmann::json(nullptr);
    o["read_bytes_per_s"] =
        have ? nlohmann::json(rate(d.sectors_read, before->sectors_read, seconds) * 512) : nlohmann::json(nullptr);
    o["write_bytes_per_s"] = have ? nlohmann::json(rate(d.sectors_written, before->sectors_written, seconds) * 512)
                                  : nlohmann::json(nullptr);
    o["util_percent"] =
        have ? nlohmann::json(std::min(100.0, rate(d.io_ms, before->io_ms, seconds) / 10.0)) : nlohmann::json(nullptr);
    return o;
}

} // namespace

SysstatCollector::SysstatCollector(FileReader reader, std::chrono::milliseconds first_delay)
    : read_(std::move(reader)), first_delay_(first_delay) {}

SysstatCollector::Sample SysstatCollector::sample() const {
    Sample s;
    s.at = std::chrono::steady_clock::now();
    if (const auto stat = read_("/proc/stat")) {
        s.cpu = parse_proc_stat(*stat);
    }
    if (const auto disks = read_("/proc/diskstats")) {
        s.disks = parse_diskstats(*disks);
    }
    return s;
}

nlohmann::json SysstatCollector::disks_json(const Sample& now, double seconds) const {
    auto out = nlohmann::json::array();
    for (const auto& d : now.disks) {
        const DiskStat* before = nullptr;
        for (const auto& p : previous_->disks) {
            before = p.device == d.device ? &p : before;
        }
        out.push_back(disk_json(d, before, seconds));
    }
    return out;
}

void SysstatCollector::collect(const collect::Context& ctx, collect::Output& out) {
    std::lock_guard lock(mutex_);
    if (!previous_) {
        previous_ = sample();
        std::this_thread::sleep_for(std::min(first_delay_, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                               ctx.deadline - std::chrono::steady_clock::now())));
    }
    const auto now = sample();
    const double seconds = std::chrono::duration<double>(now.at - previous_->at).count();
    nlohmann::json o = {{"type", "sysstat"}, {"interval_s", seconds}, {"counters", "cumulative"}};
    nlohmann::json cpu = {{"cores", now.cpu ? nlohmann::json(now.cpu->cores) : nlohmann::json(nullptr)}};
    if (now.cpu && previous_->cpu) {
        for (const auto& [k, v] : cpu_percentages(*previous_->cpu, *now.cpu)) {
            cpu[k] = v;
        }
    } else {
        out.errors.push_back({"", "cannot read /proc/stat"});
    }
    o["cpu"] = std::move(cpu);
    const auto meminfo = read_("/proc/meminfo");
    o["memory"] = meminfo ? memory_json(parse_meminfo(*meminfo)) : nlohmann::json(nullptr);
    const auto load_text = read_("/proc/loadavg");
    const auto load = load_text ? parse_loadavg(*load_text) : std::nullopt;
    o["load"] = load ? nlohmann::json{{"load1", load->load1},
                                      {"load5", load->load5},
                                      {"load15", load->load15},
                                      {"running", load->running},
                                      {"tasks", load->tasks}}
                     : nlohmann::json(nullptr);
    o["disks"] = disks_json(now, seconds);
    out.rows += 1 + now.disks.size();
    out.metrics.push_back(std::move(o));
    previous_ = now;
}

std::unique_ptr<collect::Collector> make_sysstat() {
    return std::make_unique<SysstatCollector>();
}

} // namespace pga::collectors
