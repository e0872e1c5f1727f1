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

void limit_malloc_arenas(int arenas) {
    if (std::getenv("MALLOC_ARENA_MAX") == nullptr) {
        ::mallopt(M_ARENA_MAX, arenas);
    }
}

} // namespace pga::util
