// Unit tests of the query text obfuscator: every literal form becomes "?", identifiers, keywords
// and parameters stay, comments go, and anything it cannot tokenize yields nothing.
#include "pga/collectors/sql_obfuscate.hpp"

#include <gtest/gtest.h>

using pga::collectors::obfuscate_sql;

namespace {

std::string ob(std::string_view s) {
    const auto r = obfuscate_sql(s);
    return r ? *r : "<nullopt>";
}

} // namespace

TEST(SqlObfuscate, replaces_string_literals) {
    EXPECT_EQ(ob("SELECT * FROM users WHERE password = 'hunter2'"), "SELECT * FROM users WHERE password = ?");
}

TEST(SqlObfuscate, handles_doubled_quotes_inside_strings) {
    EXPECT_EQ(ob("SELECT 'it''s secret', 'x'"), "SELECT ?, ?");
}

TEST(SqlObfuscate, replaces_integers_decimals_and_exponents) {
    EXPECT_EQ(ob("SELECT 42, 3.14, .5, 1e10, 2.5E-3 FROM t"), "SELECT ?, ?, ?, ?, ? FROM t");
}

TEST(SqlObfuscate, replaces_hex_and_underscored_numbers) {
    EXPECT_EQ(ob("SELECT 0x1F, 1_000_000"), "SELECT ?, ?");
}

TEST(SqlObfuscate, keeps_digits_inside_identifiers) {
    EXPECT_EQ(ob("SELECT col1 FROM t2 WHERE x_3 = 7"), "SELECT col1 FROM t2 WHERE x_3 = ?");
}

TEST(SqlObfuscate, keeps_positional_parameters) {
    EXPECT_EQ(ob("SELECT * FROM t WHERE a = $1 AND b = $12"), "SELECT * FROM t WHERE a = $1 AND b = $12");
}

TEST(SqlObfuscate, keeps_quoted_identifiers_verbatim) {
    EXPECT_EQ(ob("SELECT \"Weird \"\"Name\"\" 1\" FROM \"T\" WHERE v = 'a'"),
              "SELECT \"Weird \"\"Name\"\" 1\" FROM \"T\" WHERE v = ?");
}

TEST(SqlObfuscate, replaces_escape_strings_with_backslashes) {
    EXPECT_EQ(ob("SELECT E'a\\'b\\\\', 1"), "SELECT ?, ?");
}

TEST(SqlObfuscate, replaces_bit_hex_national_and_unicode_strings) {
    EXPECT_EQ(ob("SELECT B'1010', X'FF', N'nat', U&'d\\0061t'"), "SELECT ?, ?, ?, ?");
}

TEST(SqlObfuscate, replaces_dollar_quoted_strings) {
    EXPECT_EQ(ob("SELECT $$pass'word$$, $tag$ a $$ b $tag$"), "SELECT ?, ?");
}

TEST(SqlObfuscate, replaces_literals_right_after_a_dollar_quoted_string) {
    // Found by fuzz_obfuscate: after a dollar-quoted string the next token was taken for the middle
    // of an identifier ('$' is an identifier character), so a second string or number leaked.
    EXPECT_EQ(ob("SELECT $$$$$$secret$$"), "SELECT ??");
    EXPECT_EQ(ob("SELECT $a$x$a$1234"), "SELECT ??");
    EXPECT_EQ(ob("SELECT $a$x$a$E'secret'"), "SELECT ??");
    EXPECT_EQ(ob("SELECT $$a$$$$b$$ FROM t"), "SELECT ?? FROM t");
}

TEST(SqlObfuscate, drops_line_and_block_comments) {
    EXPECT_EQ(ob("SELECT 1 -- password is x\nFROM t /* secret 'y' /* nested */ */ WHERE a"),
              "SELECT ?  \nFROM t   WHERE a");
}

TEST(SqlObfuscate, keeps_casts_and_operators) {
    EXPECT_EQ(ob("SELECT a::int8 + -5 FROM t WHERE b >= 10"), "SELECT a::int8 + -? FROM t WHERE b >= ?");
}

TEST(SqlObfuscate, fails_closed_on_unterminated_string) {
    EXPECT_FALSE(obfuscate_sql("SELECT 'secret value that was trunc"));
}

TEST(SqlObfuscate, fails_closed_on_unterminated_escape_string) {
    EXPECT_FALSE(obfuscate_sql("SELECT E'abc\\'"));
}

TEST(SqlObfuscate, fails_closed_on_unterminated_dollar_quote) {
    EXPECT_FALSE(obfuscate_sql("SELECT $x$ secret"));
}

TEST(SqlObfuscate, fails_closed_on_unterminated_block_comment) {
    EXPECT_FALSE(obfuscate_sql("SELECT 1 /* secret"));
}

TEST(SqlObfuscate, fails_closed_on_unterminated_quoted_identifier) {
    EXPECT_FALSE(obfuscate_sql("SELECT \"abc"));
}

TEST(SqlObfuscate, leaves_text_without_literals_unchanged) {
    EXPECT_EQ(ob("SELECT a, b FROM s.t JOIN u USING (id)"), "SELECT a, b FROM s.t JOIN u USING (id)");
    EXPECT_EQ(ob(""), "");
}

TEST(SqlObfuscate, never_leaks_a_literal_in_a_realistic_statement) {
    const auto r = obfuscate_sql("INSERT INTO accounts(name, card) VALUES ('Alice', '4111-1111-1111-1111'), "
                                 "(E'Bob\\n', 5500000000000004) RETURNING id");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->find("Alice"), std::string::npos);
    EXPECT_EQ(r->find("4111"), std::string::npos);
    EXPECT_EQ(r->find("5500"), std::string::npos);
    EXPECT_EQ(*r, "INSERT INTO accounts(name, card) VALUES (?, ?), (?, ?) RETURNING id");
}
