// The retry policy of reliability.md: which answers are retried, set aside or need new
// credentials; exponential backoff with full jitter (base 1 s, cap 60 s); and Retry-After in
// both forms (delta seconds and HTTP-date), clamped, with anything else ignored.
#pragma once

#include "pga/util/time.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string_view>

namespace pga::deliver {

enum class Verdict {
    success,   // 2xx: remove from the spool
    retry,     // transport error, 408, 429, 5xx, anything unexpected: keep and back off
    reject,    // 400, 422: set aside, counted, never retried
    too_large, // 413: split once, then set aside
    auth,      // 401, 403: refresh or re-register, else pause sending
};

// Returns the verdict for an HTTP status (0 means no answer at all).
Verdict classify(int status);

// Returns a short name for a verdict ("success", "retry", "reject", "too_large", "auth").
const char* verdict_name(Verdict verdict);

// Returns the wait a Retry-After value asks for, clamped to [min_wait, max_wait]; nullopt when
// the value is neither delta-seconds nor an IMF-fixdate/RFC 850/asctime HTTP-date.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, util::SystemClock::time_point now,
                                                           std::chrono::milliseconds min_wait,
                                                           std::chrono::milliseconds max_wait);

// Full-jitter exponential backoff: the n-th consecutive failure waits uniform(0, min(cap,
// base * 2^n)). Not thread-safe.
class Backoff {
public:
    Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, std::uint64_t seed = std::random_device{}());
    // Returns the wait before the next attempt and counts one more failure.
    std::chrono::milliseconds next();
    // Forgets the failures (after a success).
    void reset() { failures_ = 0; }
    int failures() const { return failures_; }

private:
    std::chrono::milliseconds base_;
    std::chrono::milliseconds cap_;
    int failures_ = 0;
    std::mt19937_64 rng_;
};

} // namespace pga::deliver
