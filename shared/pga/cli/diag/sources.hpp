// The pieces of the diagnostic bundle, each returned as text (never throws; a failure becomes
// a line saying what could not be read).
#pragma once

#include "pga/config/config.hpp"

#include <cstdint>
#include <string>

namespace pga::cli::diag {

// Returns the log lines of the last since_s seconds (lines without a leading timestamp follow
// the line before them), at most the last 5 MiB.
std::string recent_log(const std::string& path, std::int64_t since_s);

// Returns the files of state_dir with their sizes (never their contents).
std::string spool_summary(const std::string& state_dir);

// Returns OS, kernel, CPU, memory and disk facts.
std::string system_info(const config::Config& c);

// Returns /proc/<pid>/status and cmdline of the lock holder, or why there is none.
std::string process_info(const std::string& state_dir);

// Returns tool, libpq and server versions, relevant settings and pg_stat_statements info.
std::string postgres_info(const config::Config& c);

} // namespace pga::cli::diag
