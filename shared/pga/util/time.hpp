// Time helpers: RFC3339 UTC timestamps for data that leaves the process, and the monotonic clock
// used for all scheduling and durations.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pga::util {

using SteadyClock = std::chrono::steady_clock;
using SystemClock = std::chrono::system_clock;

// Returns t as RFC3339 UTC with second precision and a trailing Z ("2026-02-26T10:00:00Z").
std::string rfc3339_utc(SystemClock::time_point t);

// Returns t as RFC3339 UTC with millisecond precision ("2026-02-26T10:00:00.123Z").
std::string rfc3339_utc_ms(SystemClock::time_point t);

// Parses an RFC3339 timestamp (Z or numeric offset, optional fraction); nullopt when malformed.
std::optional<SystemClock::time_point> parse_rfc3339(std::string_view text);

// Returns milliseconds elapsed since start on the monotonic clock.
std::int64_t elapsed_ms(SteadyClock::time_point start);

} // namespace pga::util
