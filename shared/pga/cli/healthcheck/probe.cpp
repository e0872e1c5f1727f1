// pga-healthcheck's I/O: the lock holder (flock probe on state_dir/pganalytics.lock and the pid
// in it), its RSS from /proc, and the RSS history file (state_dir/healthcheck-history.json).
#include "pga/cli/healthcheck/probe.hpp"

#include "pga/state/instance_lock.hpp"
#include "pga/util/files.hpp"
#include "pga/util/process.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace pga::cli::healthcheck {

namespace fs = std::filesystem;

Holder lock_holder(const fs::path& state_dir) {
    Holder h;
    const fs::path path = state::InstanceLock::path_in(state_dir);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return h;
    }
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        h.running = true;
    } else {
        ::flock(fd, LOCK_UN);
    }
    ::close(fd);
    std::string error;
    if (const auto text = util::try_read_file(path, &error)) {
        try {
            h.pid = std::stoll(*text);
        } catch (const std::exception&) {
            h.pid = 0;
        }
    }
    if (h.running && h.pid > 0 && !fs::exists("/proc/" + std::to_string(h.pid))) {
        h.pid = 0;
    }
    return h;
}

std::optional<std::int64_t> rss_bytes(std::int64_t pid) {
    if (const auto bytes = util::proc_status_bytes(static_cast<long>(pid), "VmRSS")) {
        return static_cast<std::int64_t>(*bytes);
    }
    return std::nullopt;
}

std::vector<Sample> update_history(const fs::path& state_dir, const Sample& now, std::size_t keep) {
    const fs::path path = state_dir / "healthcheck-history.json";
    std::vector<Sample> samples;
    std::string error;
    if (const auto text = util::try_read_file(path, &error)) {
        const auto j = nlohmann::json::parse(*text, nullptr, false);
        if (j.is_array()) {
            for (const auto& s : j) {
                if (s.is_object() && s.value("pid", 0LL) == now.pid) {
                    samples.push_back({s.value("unix_s", 0LL), s.value("pid", 0LL), s.value("rss_bytes", 0LL),
                                       s.value("cycle_ms", 0LL)});
                }
            }
        }
    }
    samples.push_back(now);
    if (samples.size() > keep) {
        samples.erase(samples.begin(), samples.end() - static_cast<std::ptrdiff_t>(keep));
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : samples) {
        out.push_back({{"unix_s", s.unix_s}, {"pid", s.pid}, {"rss_bytes", s.rss_bytes}, {"cycle_ms", s.cycle_ms}});
    }
    try {
        util::atomic_write(path, out.dump() + "\n", 0644);
    } catch (const std::exception&) {
        // a read-only state_dir only costs the growth check its history
    }
    return samples;
}

} // namespace pga::cli::healthcheck
