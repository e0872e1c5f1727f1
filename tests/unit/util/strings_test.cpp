// Unit tests of pga/util/strings.
#include "pga/util/strings.hpp"

#include <gtest/gtest.h>

using namespace pga::util;

TEST(Strings, split_list_trims_and_drops_empty_pieces) {
    EXPECT_EQ(split_list(" a, b,,c ,"), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_TRUE(split_list("  ").empty());
}

TEST(Strings, nearest_suggests_close_names_only) {
    const std::vector<std::string> keys = {"pool_max_size", "pool_min_size", "port"};
    EXPECT_EQ(nearest("pool_max_sise", keys), "pool_max_size");
    EXPECT_EQ(nearest("completely_else", keys), "");
}

TEST(Strings, escape_control_makes_one_line_and_keeps_utf8) {
    EXPECT_EQ(escape_control("a\nb\tc\\"), "a\\nb\\tc\\\\");
    EXPECT_EQ(escape_control("caf\xc3\xa9"), "caf\xc3\xa9");
    EXPECT_EQ(escape_control("bad\xff"), "bad\\xff");
    EXPECT_EQ(escape_control(std::string("nul\0x", 5)), "nul\\x00x");
}

TEST(Strings, is_valid_utf8_rejects_overlong_and_surrogates) {
    EXPECT_TRUE(is_valid_utf8("plain \xe2\x82\xac"));
    EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));
    EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));
    EXPECT_FALSE(is_valid_utf8("\xe2\x82"));
}
