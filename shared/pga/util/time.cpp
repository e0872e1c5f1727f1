// Time helpers: see time.hpp.
#include "pga/util/time.hpp"

#include <cstdio>
#include <ctime>

namespace pga::util {

namespace {

std::tm utc_tm(SystemClock::time_point t) {
    const std::time_t secs = SystemClock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    return tm;
}

} // namespace

std::string rfc3339_utc(SystemClock::time_point t) {
    const std::tm tm = utc_tm(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string rfc3339_utc_ms(SystemClock::time_point t) {
    const std::tm tm = utc_tm(t);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()) % 1000;
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s.%03dZ", date, static_cast<int>(ms.count()));
    return buf;
}

std::optional<SystemClock::time_point> parse_rfc3339(std::string_view text) {
    std::tm tm{};
    int consumed = 0;
    const std::string s(text);
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
        consumed != 19) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            ++pos;
        }
    }
    long offset_s = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
        offset_s = 0;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh = 0;
        int om = 0;
        if (std::sscanf(s.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2 || pos + 6 != s.size()) {
            return std::nullopt;
        }
        offset_s = (s[pos] == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
    } else {
        return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const std::time_t secs = ::timegm(&tm);
    return SystemClock::from_time_t(secs - offset_s);
}

std::int64_t elapsed_ms(SteadyClock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
}

} // namespace pga::util
