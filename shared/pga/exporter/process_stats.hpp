// This process's standard Prometheus process metrics, read from /proc/self: CPU seconds,
// resident and virtual memory, start time, open and maximum file descriptors.
#pragma once

#include <optional>
#include <string_view>

namespace pga::exporter {

struct ProcessStats {
    double cpu_seconds = 0;
    double resident_bytes = 0;
    double virtual_bytes = 0;
    double start_time_seconds = 0; // since the epoch
    double open_fds = 0;
    double max_fds = 0;
};

// Returns the current process's numbers; nullopt when /proc/self/stat cannot be read.
std::optional<ProcessStats> read_process_stats();

// Parses the text of /proc/<pid>/stat into cpu, memory and start (start relative to boot, in
// clock ticks, is turned into epoch seconds with boot_time_s). nullopt when malformed.
std::optional<ProcessStats> parse_proc_stat(std::string_view text, long ticks_per_s, long page_size,
                                            double boot_time_s);

} // namespace pga::exporter
