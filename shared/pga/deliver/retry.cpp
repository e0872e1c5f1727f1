// Retry policy: see retry.hpp.
#include "pga/deliver/retry.hpp"

#include "pga/util/strings.hpp"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <string>

namespace pga::deliver {

Verdict classify(int status) {
    if (status >= 200 && status < 300) {
        return Verdict::success;
    }
    switch (status) {
    case 400:
    case 422: return Verdict::reject;
    case 413: return Verdict::too_large;
    case 401:
    case 403: return Verdict::auth;
    default: return Verdict::retry;
    }
}

const char* verdict_name(Verdict verdict) {
    switch (verdict) {
    case Verdict::success: return "success";
    case Verdict::retry: return "retry";
    case Verdict::reject: return "reject";
    case Verdict::too_large: return "too_large";
    case Verdict::auth: return "auth";
    }
    return "unknown";
}

namespace {

// Returns the HTTP-date as seconds since the epoch (years 0 to 9999 parse: kept in seconds, since
// the clock's nanoseconds overflow 292 years from 1970).
std::optional<std::int64_t> parse_http_date(const std::string& text) {
    static const char* const formats[] = {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                                          "%a %b %e %H:%M:%S %Y"};
    for (const char* format : formats) {
        std::tm tm{};
        const char* end = ::strptime(text.c_str(), format, &tm);
        if (end != nullptr && *end == '\0') {
            return static_cast<std::int64_t>(::timegm(&tm));
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, util::SystemClock::time_point now,
                                                           std::chrono::milliseconds min_wait,
                                                           std::chrono::milliseconds max_wait) {
    const std::string text(util::trim(value));
    if (text.empty()) {
        return std::nullopt;
    }
    std::chrono::milliseconds wait{0};
    if (text.find_first_not_of("0123456789") == std::string::npos) {
        if (text.size() > 9) {
            return max_wait;
        }
        wait = std::chrono::seconds(std::stoll(text));
    } else if (auto at_s = parse_http_date(text)) {
        // A date more than a century away is clamped in seconds before any conversion overflows.
        constexpr std::int64_t k_century_s = 100LL * 366 * 86400;
        const auto since_epoch = now.time_since_epoch();
        const auto delta_s = *at_s - std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
        if (delta_s > k_century_s) {
            return max_wait;
        }
        if (delta_s < -k_century_s) {
            return min_wait;
        }
        wait = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(*at_s) - since_epoch);
    } else {
        return std::nullopt;
    }
    return std::clamp(wait, min_wait, max_wait);
}

Backoff::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, std::uint64_t seed)
    : base_(base), cap_(cap), rng_(seed) {}

std::chrono::milliseconds Backoff::next() {
    const int shift = std::min(failures_, 30);
    ++failures_;
    const auto ceiling = std::min<std::int64_t>(cap_.count(), base_.count() << shift);
    std::uniform_int_distribution<std::int64_t> dist(0, std::max<std::int64_t>(ceiling, 0));
    return std::chrono::milliseconds(dist(rng_));
}

} // namespace pga::deliver
