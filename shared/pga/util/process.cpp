// Process resource use: see process.hpp.
#include "pga/util/process.hpp"

#include "pga/util/files.hpp"

#include <cstdlib>
#include <malloc.h>
#include <sstream>
#include <sys/resource.h>
#include <unistd.h>

namespace pga::util {

namespace {

double seconds(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

} // namespace

ProcessUsage process_usage() {
    ProcessUsage u;
    if (const auto statm = try_read_file("/proc/self/statm", nullptr)) {
        std::istringstream in(*statm);
        std::uint64_t size_pages = 0;
        std::uint64_t resident_pages = 0;
        if (in >> size_pages >> resident_pages) {
            u.rss_bytes = resident_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
        }
    }
    rusage ru{};
    if (::getrusage(RUSAGE_SELF, &ru) == 0) {
        u.cpu_user_s = seconds(ru.ru_utime);
        u.cpu_system_s = seconds(ru.ru_stime);
    }
    return u;
}

std::optional<std::uint64_t> proc_status_bytes(long pid, const std::string& field) {
    const std::string path = pid == 0 ? "/proc/self/status" : "/proc/" + std::to_string(pid) + "/status";
    const auto text = try_read_file(path, nullptr);
    if (!text) {
        return std::nullopt;
    }
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
        if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 && line[field.size()] == ':') {
            std::istringstream value(line.substr(field.size() + 1));
            std::uint64_t kib = 0;
            if (value >> kib) {
                return kib * 1024;
            }
            return std::nullopt;
        }
    }
    return std::nullopt;
}

void limit_malloc_arenas(int arenas) {
    if (std::getenv("MALLOC_ARENA_MAX") == nullptr) {
        ::mallopt(M_ARENA_MAX, arenas);
    }
}

} // namespace pga::util
