// Unit tests of query text clean-up and the text cache of pg_query_stats.
#include "pga/collectors/query_text.hpp"

#include <gtest/gtest.h>

using namespace pga::collectors;

TEST(QueryText, password_literals_of_utility_statements_are_removed) {
    EXPECT_EQ(clean_query_text("ALTER ROLE bob PASSWORD 'hunter2'"), "ALTER ROLE bob PASSWORD <redacted>");
    EXPECT_EQ(clean_query_text("create user x with password $$s3cret$$"), "create user x with password <redacted>");
}

TEST(QueryText, normalized_statements_mentioning_password_are_kept) {
    const std::string q = "SELECT password_hash FROM users WHERE id = $1";
    EXPECT_EQ(clean_query_text(q), q);
}

TEST(QueryText, long_texts_are_cut_at_a_utf8_boundary) {
    std::string text(k_max_query_text_bytes - 1, 'a');
    text += "\xc3\xa9tail";
    const auto out = clean_query_text(text);
    EXPECT_EQ(out.substr(0, k_max_query_text_bytes - 1), std::string(k_max_query_text_bytes - 1, 'a'));
    EXPECT_EQ(out.substr(k_max_query_text_bytes - 1), " ... (truncated)");
}

TEST(QueryText, redacted_texts_stay_within_the_length_cap) {
    // Found by fuzz_obfuscate: a password statement longer than the cap was sent whole up to the word.
    std::string text(k_max_query_text_bytes + 100, 'a');
    text += " PASSWORD 'hunter2'";
    const auto out = clean_query_text(text);
    EXPECT_EQ(out, std::string(k_max_query_text_bytes, 'a') + " ... (truncated)");
    EXPECT_EQ(out.find("hunter2"), std::string::npos);

    std::string near(k_max_query_text_bytes - 20, 'b');
    near += " password 'x'";
    EXPECT_EQ(clean_query_text(near), std::string(k_max_query_text_bytes - 20, 'b') + " password <redacted>");
}

TEST(QueryText, cache_trims_entries_not_in_use_beyond_its_bound) {
    QueryTextCache cache(2);
    cache.put({1, 1}, "a");
    cache.put({1, 2}, "b");
    cache.put({1, 3}, "c");
    cache.trim({{1, 3}});
    EXPECT_LE(cache.size(), 2u);
    ASSERT_NE(cache.find({1, 3}), nullptr);
    EXPECT_EQ(*cache.find({1, 3}), "c");
}
