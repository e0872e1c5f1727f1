// Unit tests of the batch envelope and the JSON writer (valid JSON whatever the names hold), and
// of run budgets.
#include "pga/collect/budget.hpp"
#include "pga/collect/envelope.hpp"

#include <gtest/gtest.h>

using namespace pga;

TEST(Envelope, carries_the_push_body_keys_batch_id_and_sequence) {
    collect::Batch b{"7d8c3c1e-0000-4000-8000-000000000000",
                     42,
                     util::parse_rfc3339("2026-02-26T10:00:00Z").value(),
                     {nlohmann::json{{"type", "sysstat"}, {"timestamp", "2026-02-26T10:00:00Z"}, {"status", "ok"}}}};
    const auto e = collect::make_envelope(b, {"c-1", "db1", "3.3.0"});
    EXPECT_EQ(e["collector_id"], "c-1");
    EXPECT_EQ(e["hostname"], "db1");
    EXPECT_EQ(e["timestamp"], "2026-02-26T10:00:00Z");
    EXPECT_EQ(e["version"], "3.3.0");
    EXPECT_EQ(e["metrics_count"], 1);
    EXPECT_EQ(e["batch_id"], b.batch_id);
    EXPECT_EQ(e["sequence"], 42);
    EXPECT_EQ(e["schema_version"], 1);
    EXPECT_TRUE(collect::make_envelope(b, {"", "h", "v"})["collector_id"].is_null());
}

TEST(Envelope, a_metric_whose_text_is_not_json_becomes_an_error_object_so_the_document_stays_valid) {
    collect::Batch b;
    b.batch_id = "b";
    b.metrics.emplace_back("pg_stats", "ok", R"({"database":"app",)");
    b.metrics.emplace_back(nlohmann::json{{"type", "sysstat"}, {"status", "ok"}});
    const auto e = collect::make_envelope(b, {"c-1", "db1", "3.3.0"});
    ASSERT_EQ(e["metrics"].size(), 2u);
    EXPECT_EQ(e["metrics"][0]["type"], "pg_stats");
    EXPECT_EQ(e["metrics"][0]["status"], "error");
    EXPECT_EQ(e["metrics"][1]["type"], "sysstat");
    EXPECT_TRUE(nlohmann::json::accept(collect::dump_json(e)));
}

TEST(Envelope, names_with_quotes_newlines_and_invalid_utf8_still_give_valid_json) {
    const nlohmann::json o = {{"database", std::string("we\"ird\n\xff name=\x01")}};
    const auto text = collect::dump_json(o);
    const auto parsed = nlohmann::json::parse(text);
    EXPECT_EQ(parsed["database"].get<std::string>().substr(0, 6), "we\"ird");
}

TEST(RunBudget, an_expired_budget_refuses_new_connections) {
    collect::RunBudget budget(util::SteadyClock::now() + std::chrono::hours(1));
    EXPECT_FALSE(budget.expired());
    budget.expire();
    EXPECT_TRUE(budget.expired());
    EXPECT_TRUE(budget.was_expired());
    EXPECT_THROW(budget.enroll(nullptr), pg::Error);
}
