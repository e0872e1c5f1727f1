// collect::Metric: a metric object held as its JSON text, with its type and status beside it.
#include "pga/collect/metric.hpp"

#include <gtest/gtest.h>

using pga::collect::Metric;

TEST(Metric, keeps_the_compact_text_type_and_status_and_parses_back_to_the_object) {
    const nlohmann::json o = {{"type", "pg_stats"}, {"status", "ok"}, {"database", "app"}, {"n", 3}};
    const Metric m(o);
    EXPECT_EQ(m.text(), o.dump());
    EXPECT_EQ(m.type(), "pg_stats");
    EXPECT_EQ(m.status(), "ok");
    EXPECT_EQ(m.parse(), o);
}

TEST(Metric, an_object_without_a_string_type_or_status_has_empty_ones) {
    const Metric m(nlohmann::json{{"type", 7}});
    EXPECT_EQ(m.type(), "");
    EXPECT_EQ(m.status(), "");
    EXPECT_EQ(Metric(nlohmann::json::array()).type(), "");
}

TEST(Metric, invalid_utf8_in_a_name_is_replaced_so_the_text_is_always_valid_json) {
    const Metric m(nlohmann::json{{"type", "pg_stats"}, {"database", std::string("we\"ird\n\xff")}});
    EXPECT_EQ(m.parse()["database"], "we\"ird\n\xef\xbf\xbd");
}

TEST(Metric, array_text_joins_the_texts_without_reserializing_them) {
    const auto metrics = pga::collect::to_metrics({{{"type", "a"}}, {{"type", "b"}, {"s", "x,y"}}});
    const auto text = pga::collect::array_text(metrics);
    EXPECT_EQ(text, R"([{"type":"a"},{"s":"x,y","type":"b"}])");
    EXPECT_EQ(nlohmann::json::parse(text).size(), 2u);
    EXPECT_EQ(pga::collect::array_text(std::vector<Metric>{}), "[]");
    EXPECT_EQ(pga::collect::array_text(std::vector<const Metric*>{&metrics[1]}), R"([{"s":"x,y","type":"b"}])");
}

TEST(Metric, text_that_is_not_json_parses_to_a_discarded_value_instead_of_throwing) {
    const Metric m("pg_stats", "ok", R"({"database":"app",)");
    nlohmann::json o;
    EXPECT_NO_THROW(o = m.parse());
    EXPECT_TRUE(o.is_discarded());
    EXPECT_EQ(Metric("pg_stats", "ok", R"({"n":1})").parse()["n"], 1);
}
