// Unit tests of pga/deliver/split: request-sized parts and the 413 halving.
#include "pga/deliver/split.hpp"

#include <gtest/gtest.h>

using namespace pga::deliver;
using json = nlohmann::json;

namespace {

json query_stats(int queries, std::size_t text_bytes) {
    json q = json::array();
    for (int i = 0; i < queries; ++i) {
        q.push_back({{"hash", i}, {"calls", 1}, {"text", std::string(text_bytes, 'x')}});
    }
    return {{"type", "pg_query_stats"}, {"database", "db"}, {"queries", q}};
}

pga::collect::Batch batch_of(std::vector<json> metrics) {
    pga::collect::Batch b;
    b.batch_id = "11111111-2222-4333-8444-555555555555";
    b.sequence = 7;
    b.created = pga::util::SystemClock::now();
    b.metrics = pga::collect::to_metrics(metrics);
    return b;
}

} // namespace

TEST(Split, a_small_batch_stays_one_item_with_its_own_id) {
    const auto items = to_spool_items(batch_of({{{"type", "sysstat"}}}), 4096);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].batch_id, "11111111-2222-4333-8444-555555555555");
    EXPECT_EQ(items[0].sequence, 7u);
    EXPECT_EQ(items[0].metrics_count, 1);
    EXPECT_EQ(json::parse(items[0].body).size(), 1u);
}

TEST(Split, large_batches_become_parts_that_each_fit_the_budget) {
    std::vector<json> metrics;
    for (int i = 0; i < 20; ++i) {
        metrics.push_back({{"type", "pg_stats"}, {"pad", std::string(100, 'p')}});
    }
    const auto items = to_spool_items(batch_of(metrics), 600);
    ASSERT_GT(items.size(), 1u);
    std::size_t total = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_LE(items[i].body.size(), 600u);
        EXPECT_EQ(items[i].batch_id, "11111111-2222-4333-8444-555555555555-p" + std::to_string(i + 1));
        total += json::parse(items[i].body).size();
    }
    EXPECT_EQ(total, 20u);
}

TEST(Split, one_oversized_query_stats_object_is_cut_along_its_queries) {
    const auto groups = split_metrics({query_stats(40, 100)}, 1000);
    ASSERT_GT(groups.size(), 1u);
    std::size_t queries = 0;
    for (const auto& g : groups) {
        for (const auto& metric : g) {
            const auto m = metric.parse();
            EXPECT_EQ(m["database"], "db");
            EXPECT_EQ(m["type"], "pg_query_stats");
            queries += m["queries"].size();
        }
        EXPECT_LE(pga::collect::array_text(g).size(), 1000u);
    }
    EXPECT_EQ(queries, 40u);
}

TEST(Split, halve_cuts_once_and_refuses_a_second_time) {
    SpoolEntry e;
    e.batch_id = "b";
    e.body = dump_json(json::array({{{"type", "a"}}, {{"type", "b"}}, {{"type", "c"}}}));
    const auto parts = halve(e);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].batch_id, "b-h1");
    EXPECT_EQ(parts[0].metrics_count + parts[1].metrics_count, 3);
    SpoolEntry part;
    static_cast<SpoolItem&>(part) = parts[0];
    EXPECT_TRUE(halve(part).empty());
}

TEST(Split, halve_cuts_a_single_object_along_its_array) {
    SpoolEntry e;
    e.batch_id = "b";
    e.body = dump_json(json::array({query_stats(10, 10)}));
    const auto parts = halve(e);
    ASSERT_EQ(parts.size(), 2u);
    std::size_t queries = 0;
    for (const auto& part : parts) {
        for (const auto& object : json::parse(part.body)) {
            queries += object["queries"].size();
        }
    }
    EXPECT_EQ(queries, 10u);
}

TEST(Split, invalid_utf8_never_throws) {
    EXPECT_NO_THROW(dump_json(json{{"database", std::string("bad\xff")}}));
}
