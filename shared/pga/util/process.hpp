// Resource use of this process (for the status file): resident memory and CPU time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pga::util {

struct ProcessUsage {
    std::optional<std::uint64_t> rss_bytes; // from /proc/self/statm; nullopt when unreadable
    double cpu_user_s = 0;                  // getrusage(RUSAGE_SELF)
    double cpu_system_s = 0;
};

// Returns the current resource use of this process.
ProcessUsage process_usage();

// Returns a kB field of /proc/<pid>/status (VmRSS, VmHWM, ...) in bytes; pid 0 is this process.
// nullopt when the process or the field is not there.
std::optional<std::uint64_t> proc_status_bytes(long pid, const std::string& field);

// Caps glibc's malloc arenas (M_ARENA_MAX). Each worker thread otherwise gets an arena of its own
// that keeps freed memory resident: with 4 collector threads peak RSS was 49 MiB instead of 35;
// with one arena instead of two, S3's peak fell from 45 to 32 MiB at the same CPU time (pga-bench,
// docs/benchmarks.md). Call before starting threads; MALLOC_ARENA_MAX overrides.
void limit_malloc_arenas(int arenas);

} // namespace pga::util
