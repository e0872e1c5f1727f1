// Unit tests of pga/deliver/retry: status classes, Retry-After and full-jitter backoff.
#include "pga/deliver/retry.hpp"

#include <gtest/gtest.h>

using namespace pga::deliver;
using namespace std::chrono_literals;

TEST(Retry, statuses_fall_into_the_classes_of_reliability_md) {
    for (int s : {200, 201, 202, 204}) {
        EXPECT_EQ(classify(s), Verdict::success) << s;
    }
    for (int s : {0, 408, 429, 500, 502, 503, 504}) {
        EXPECT_EQ(classify(s), Verdict::retry) << s;
    }
    EXPECT_EQ(classify(400), Verdict::reject);
    EXPECT_EQ(classify(422), Verdict::reject);
    EXPECT_EQ(classify(413), Verdict::too_large);
    EXPECT_EQ(classify(401), Verdict::auth);
    EXPECT_EQ(classify(403), Verdict::auth);
    EXPECT_EQ(classify(302), Verdict::retry); // never followed, never dropped
}

TEST(Retry, retry_after_seconds_and_http_date_are_honoured_and_clamped) {
    const auto now = pga::util::SystemClock::from_time_t(784111777); // Sun, 06 Nov 1994 08:49:37 GMT
    EXPECT_EQ(parse_retry_after("7", now, 1s, 300s), 7000ms);
    EXPECT_EQ(parse_retry_after(" 0 ", now, 1s, 300s), 1000ms);
    EXPECT_EQ(parse_retry_after("99999", now, 1s, 300s), 300000ms);
    EXPECT_EQ(parse_retry_after("99999999999999999999", now, 1s, 300s), 300000ms);
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now, 1s, 300s), 30000ms);
    EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:50:07 GMT", now, 1s, 300s), 30000ms);
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now, 1s, 300s), 1000ms); // in the past
}

TEST(Retry, garbage_retry_after_is_ignored) {
    const auto now = pga::util::SystemClock::now();
    for (const char* v : {"", "soon", "-5", "1.5", "Sun, 06 Nov 1994", "5 seconds"}) {
        EXPECT_FALSE(parse_retry_after(v, now, 1s, 300s).has_value()) << v;
    }
}

TEST(Retry, backoff_is_full_jitter_under_a_growing_ceiling_and_capped) {
    Backoff b(1000ms, 60000ms, 42);
    for (int n = 0; n < 12; ++n) {
        const auto ceiling = std::min<std::int64_t>(60000, 1000LL << n);
        const auto wait = b.next();
        EXPECT_GE(wait.count(), 0);
        EXPECT_LE(wait.count(), ceiling);
    }
    EXPECT_EQ(b.failures(), 12);
    b.reset();
    EXPECT_LE(b.next().count(), 1000);
}

TEST(Retry, backoff_waits_vary) {
    Backoff b(1000ms, 60000ms, 7);
    for (int i = 0; i < 6; ++i) {
        b.next();
    }
    std::set<std::int64_t> seen;
    for (int i = 0; i < 20; ++i) {
        seen.insert(b.next().count());
    }
    EXPECT_GT(seen.size(), 10u);
}

TEST(Retry, retry_after_dates_centuries_away_are_clamped_without_overflow) {
    // Found by fuzz_backend_response: year 9015 overflowed the clock's nanoseconds (UBSan).
    const auto now = pga::util::SystemClock::from_time_t(1'700'000'000);
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 9015 07:28:00 GMT", now, 1s, 300s), 300000ms);
    EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:37 9999", now, 1s, 300s), 300000ms);
    EXPECT_EQ(parse_retry_after("Sat, 01 Jan 0000 00:00:00 GMT", now, 1s, 300s), 1000ms);
    EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", now, 1s, 300s), 60000ms);
}
