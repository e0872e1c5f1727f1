// Unit tests of the row-to-JSON conversion: rows_json (text written straight from a result) gives
// exactly the objects row_object builds, for every kind, NULL, a missing column, a number that is
// not an integer, NaN and infinity, and text with quotes, control characters and invalid UTF-8.
#include "pga/collect/envelope.hpp"
#include "pga/collectors/row_json.hpp"

#include <cmath>
#include <gtest/gtest.h>

using namespace pga;
using collectors::Field;
using collectors::Kind;

namespace {

constexpr Field k_fields[] = {{"n", Kind::integer},   {"x", Kind::number},       {"name", Kind::text},
                              {"ok", Kind::boolean},  {"absent", Kind::integer}, {"big", Kind::integer},
                              {"ratio", Kind::number}};

nlohmann::json objects(const pg::Result& r) {
    auto a = nlohmann::json::array();
    for (int i = 0; i < r.rows(); ++i) {
        a.push_back(collectors::row_object(r, i, k_fields));
    }
    return a;
}

} // namespace

TEST(RowJson, rows_json_writes_what_row_object_builds) {
    const pg::Result r(
        {"n", "x", "name", "ok", "big", "ratio"},
        {{"42", "1.5", "orders", "t", "3.25", "NaN"},
         {std::nullopt, "-0", std::string("we\"ird\n\\ \xff\x01 \xc3\xa9"), "f", "-9223372036854775808", "Infinity"},
         {"-7", "1e300", "", std::nullopt, "18446744073709551616", "0.1"}});
    const auto text = collectors::rows_json(r, k_fields);
    ASSERT_TRUE(nlohmann::json::accept(text)) << text;
    const auto parsed = nlohmann::json::parse(text);
    EXPECT_EQ(parsed.dump(), collect::dump_json(objects(r)));
    EXPECT_EQ(parsed[0]["n"], 42);
    EXPECT_TRUE(parsed[0]["absent"].is_null());
    EXPECT_TRUE(parsed[0]["ratio"].is_null()); // NaN is written as null
    EXPECT_EQ(parsed[0]["big"], 3.25);         // an integer column holding a fraction keeps it
    EXPECT_TRUE(parsed[1]["n"].is_null());
    EXPECT_EQ(parsed[1]["name"], "we\"ird\n\\ \xef\xbf\xbd\x01 \xc3\xa9");
    EXPECT_EQ(parsed[1]["big"], INT64_MIN);
    EXPECT_EQ(parsed[2]["ok"], nullptr);
    EXPECT_EQ(parsed[2]["name"], "");
}

TEST(RowJson, an_empty_result_is_an_empty_array_and_keys_follow_the_field_order) {
    EXPECT_EQ(collectors::rows_json(pg::Result({"n"}, {}), k_fields), "[]");
    constexpr Field two[] = {{"b", Kind::integer}, {"a", Kind::text}};
    EXPECT_EQ(collectors::rows_json(pg::Result({"a", "b"}, {{"x", "1"}, {"y", std::nullopt}}), two),
              R"([{"b":1,"a":"x"},{"b":null,"a":"y"}])");
}

TEST(RowJson, extra_members_follow_the_fields_and_stand_alone_without_fields) {
    const pg::Result r({"hit", "read"}, {{"3", "1"}, {"0", std::nullopt}});
    constexpr Field hit[] = {{"hit", Kind::integer}};
    const collectors::RowExtra ratio = [&](int row, std::string& out) {
        collectors::append_member(out, "read", r.is_null(row, 1) ? nlohmann::json(nullptr) : nlohmann::json(1));
        collectors::append_member(out, "na\"me", std::string("x\ny"));
    };
    EXPECT_EQ(collectors::rows_json(r, hit, ratio),
              R"([{"hit":3,"read":1,"na\"me":"x\ny"},{"hit":0,"read":null,"na\"me":"x\ny"}])");
    const auto alone = collectors::rows_json(r, std::span<const Field>{}, ratio);
    EXPECT_EQ(alone, R"([{"read":1,"na\"me":"x\ny"},{"read":null,"na\"me":"x\ny"}])");
    EXPECT_TRUE(nlohmann::json::accept(alone));
}

TEST(RowJson, object_text_adds_members_that_are_json_text_already_after_the_head) {
    EXPECT_EQ(collectors::object_text({{"database", "a\"b"}, {"n", 2}}, {{"tables", "[{\"x\":1}]"}, {"indexes", "[]"}}),
              R"({"database":"a\"b","n":2,"tables":[{"x":1}],"indexes":[]})");
    EXPECT_EQ(collectors::object_text(nlohmann::json::object(), {{"list", "[]"}}), R"({"list":[]})");
    EXPECT_EQ(collectors::object_text({{"n", 1}}, {}), R"({"n":1})");
}

TEST(RowJson, numbers_read_back_as_the_floats_row_object_makes) {
    constexpr Field fields[] = {{"x", Kind::number}, {"n", Kind::integer}};
    std::vector<pg::Result::FakeRow> rows;
    for (const char* t : {"5", "-0", "12.50", "1e5", "0.0001", "123456789012345678901234567890.5", "01.5", "1.", ".5",
                          "-", "1.5e400", "0.1", "-2.25", " 3.5", "NaN"}) {
        rows.push_back({t, t});
    }
    const pg::Result r({"x", "n"}, rows);
    const auto text = collectors::rows_json(r, fields);
    ASSERT_TRUE(nlohmann::json::accept(text)) << text;
    const auto parsed = nlohmann::json::parse(text);
    auto expected = nlohmann::json::array();
    for (int i = 0; i < r.rows(); ++i) {
        expected.push_back(collectors::row_object(r, i, fields));
    }
    EXPECT_EQ(parsed.dump(), expected.dump()); // the same values, floats still floats ("5" as 5.0)
    EXPECT_TRUE(parsed[0]["x"].is_number_float());
    // A plain decimal is PostgreSQL's own text, written as it came.
    EXPECT_NE(text.find("\"x\":12.50,"), std::string::npos) << text;
}

TEST(RowJson, members_are_written_as_the_serializer_writes_them) {
    for (const auto& v : {nlohmann::json(nullptr), nlohmann::json(true), nlohmann::json(-3), nlohmann::json(7u),
                          nlohmann::json(2.5), nlohmann::json(4.0), nlohmann::json(1e300), nlohmann::json("a\"b\n"),
                          nlohmann::json::array({1, "x"}), nlohmann::json{{"k", 1}}}) {
        std::string out = "{\"a\":0";
        collectors::append_member(out, "v", v);
        out += '}';
        EXPECT_EQ(nlohmann::json::parse(out)["v"].dump(), v.dump()) << out;
    }
    std::string out = "{\"a\":0";
    collectors::append_member(out, "nan", std::nan(""));
    const std::string q = "SELECT \"x\" FROM t WHERE s = '\\'";
    collectors::append_text_member(out, "text", &q);
    collectors::append_text_member(out, "none", nullptr);
    out += '}';
    const auto o = nlohmann::json::parse(out);
    EXPECT_TRUE(o["nan"].is_null());
    EXPECT_EQ(o["text"], q);
    EXPECT_TRUE(o["none"].is_null());
}
