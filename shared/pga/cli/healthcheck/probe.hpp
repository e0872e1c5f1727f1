// pga-healthcheck's probes of the running loop: who holds the lock, its RSS, the RSS history.
#pragma once

#include "pga/cli/healthcheck/evaluate.hpp"

#include <filesystem>
#include <optional>

namespace pga::cli::healthcheck {

struct Holder {
    bool running = false; // the lock is held by a live process
    std::int64_t pid = 0; // from the lock file, 0 when unknown
};

// Returns whether a process holds state_dir's instance lock, and its pid.
Holder lock_holder(const std::filesystem::path& state_dir);

// Returns VmRSS of pid in bytes, or nullopt.
std::optional<std::int64_t> rss_bytes(std::int64_t pid);

// Appends now to state_dir/healthcheck-history.json (samples of other pids are dropped), keeps
// the last `keep`, and returns them oldest first. A read-only state_dir is tolerated.
std::vector<Sample> update_history(const std::filesystem::path& state_dir, const Sample& now, std::size_t keep);

} // namespace pga::cli::healthcheck
