// Unit tests of server log parsing: prefixes, levels, timestamps converted to UTC, continuation and
// attached lines, and query text obfuscated or dropped.
#include "pga/collectors/log_parse.hpp"

#include <gtest/gtest.h>

using namespace pga::collectors;

TEST(LogParse, parses_the_default_prefix) {
    const auto l = parse_log_line("2026-11-27 17:04:35.123 UTC [4242] LOG:  checkpoint starting: time");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->local_time, "2026-11-27 17:04:35.123");
    EXPECT_EQ(l->zone, "UTC");
    EXPECT_EQ(l->pid, 4242);
    EXPECT_EQ(l->level, "LOG");
    EXPECT_EQ(l->message, "checkpoint starting: time");
}

TEST(LogParse, parses_debug_levels_and_prefixes_without_pid) {
    const auto l = parse_log_line("2026-01-02 03:04:05 CET app=psql,user=bob DEBUG2:  hello: world");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->level, "DEBUG2");
    EXPECT_FALSE(l->pid);
    EXPECT_EQ(l->message, "hello: world");
}

TEST(LogParse, rejects_lines_without_timestamp_or_level) {
    EXPECT_FALSE(parse_log_line("\tcontinued query text"));
    EXPECT_FALSE(parse_log_line("2026-11-27 17:04:35.123 UTC [1] something without a level"));
}

TEST(LogParse, converts_local_time_to_utc_with_the_server_offset) {
    LogLine l{"2026-03-01 00:30:00.5", "CET", 1, "LOG", "x"};
    EXPECT_EQ(log_time_utc(l, 3600), "2026-02-28T23:30:00.500Z");
}

TEST(LogParse, prefers_a_numeric_zone_over_the_server_offset) {
    LogLine l{"2026-03-01 12:00:00", "-0530", 1, "LOG", "x"};
    EXPECT_EQ(log_time_utc(l, 0), "2026-03-01T17:30:00.000Z");
}

TEST(LogParse, groups_detail_and_continuation_lines_into_one_entry) {
    const auto e = log_entries({"2026-11-27 10:00:00.000 UTC [7] ERROR:  duplicate key value violates unique",
                                "2026-11-27 10:00:00.000 UTC [7] DETAIL:  Key (id)=(5) already exists.",
                                "2026-11-27 10:00:00.000 UTC [7] STATEMENT:  INSERT INTO t VALUES (5,", "\t'secret')",
                                "2026-11-27 10:00:01.000 UTC [8] WARNING:  second"},
                               0);
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0]["level"], "ERROR");
    EXPECT_EQ(e[0]["pid"], 7);
    EXPECT_EQ(e[0]["log_time"], "2026-11-27T10:00:00.000Z");
    EXPECT_EQ(e[0]["detail"], "Key (id)=(?) already exists.");
    EXPECT_EQ(e[0]["statement"], "INSERT INTO t VALUES (?,\n\t?)");
    EXPECT_EQ(e[1]["level"], "WARNING");
    EXPECT_EQ(e[1]["message"], "second");
}

TEST(LogParse, drops_query_text_it_cannot_obfuscate) {
    const auto e = log_entries({"2026-11-27 10:00:00 UTC [7] ERROR:  syntax error",
                                "2026-11-27 10:00:00 UTC [7] STATEMENT:  SELECT 'unterminated"},
                               0);
    ASSERT_EQ(e.size(), 1u);
    EXPECT_TRUE(e[0]["statement"].is_null());
}

TEST(LogParse, obfuscates_statements_in_duration_messages) {
    const auto e = log_entries({"2026-11-27 10:00:00 UTC [7] LOG:  duration: 1.0 ms  statement: SELECT 'pw', 3"}, 0);
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0]["message"], "duration: 1.0 ms  statement: SELECT ?, ?");
}

TEST(LogParse, clips_long_messages) {
    const auto e = log_entries({"2026-11-27 10:00:00 UTC [7] LOG:  " + std::string(100, 'x')}, 0, 10);
    EXPECT_EQ(e[0]["message"], std::string(10, 'x'));
}
