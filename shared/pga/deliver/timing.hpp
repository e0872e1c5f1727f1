// The delivery's time constants and clocks in one injectable place: production uses the
// defaults of reliability.md; tests shrink them (milliseconds instead of seconds) and may fake
// the clocks, so no test sleeps for a real backoff.
#pragma once

#include "pga/util/time.hpp"

#include <chrono>
#include <functional>

namespace pga::deliver {

using std::chrono::milliseconds;

struct Timing {
    milliseconds backoff_base{1000};    // full-jitter exponential backoff ...
    milliseconds backoff_cap{60000};    // ... capped here
    milliseconds retry_after_min{1000}; // Retry-After is clamped into [min, max]
    milliseconds retry_after_max{300000};
    milliseconds pace{75};                    // gap between requests: 800/min < the backend's 1000/min
    milliseconds auth_probe{60000};           // paused for auth: one probe this often
    milliseconds reregister_min_gap{600000};  // never re-register more often than this
    double refresh_share = 1.0 / 3;           // refresh when less than this share of the life remains
    milliseconds refresh_retry{30000};        // a failed refresh is tried again after this
    milliseconds config_unavailable{3600000}; // first back-off after 401/403/404 on config pull
    milliseconds config_unavailable_max{86400000};
};

struct Clocks {
    std::function<util::SteadyClock::time_point()> steady = util::SteadyClock::now;
    std::function<util::SystemClock::time_point()> wall = util::SystemClock::now;
};

// Returns the default timing with every duration divided by `divisor` (tests), keeping
// `pace` at least 1 ms.
Timing scaled_timing(double divisor);

} // namespace pga::deliver
