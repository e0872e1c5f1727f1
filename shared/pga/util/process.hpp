// Resource use of this process (for the status file): resident memory and CPU time.
#pragma once

#include <cstdint>
#include <optional>

namespace pga::util {

struct ProcessUsage {
    std::optional<std::uint64_t> rss_bytes; // from /proc/self/statm; nullopt when unreadable
    double cpu_user_s = 0;                  // getrusage(RUSAGE_SELF)
    double cpu_system_s = 0;
};

// Returns the current resource use of this process.
ProcessUsage process_usage();

} // namespace pga::util
