// Every configuration example in the deployment guide loads cleanly: the Phase 1 block and the
// four tuning profiles, plus a config written for the earlier collector.
#include "config_test_support.hpp"

#include <gtest/gtest.h>

using pga::test::load;
using pga::test::messages;

namespace {

const char* k_phase1 = R"(
[postgresql]
# Query statistics collection limit
query_stats_limit = 100

# Minimum connections to keep in pool (default: 2)
pool_min_size = 2

# Maximum connections to allow (default: 10)
pool_max_size = 10

# Connection idle timeout in seconds (default: 300)
pool_idle_timeout = 300

[collector_threading]
thread_pool_size = 4
)";

struct Profile {
    const char* name;
    int limit, min, max, threads;
};

} // namespace

TEST(GuideExamples, phase1_block_loads_without_any_diagnostic) {
    const auto r = load(k_phase1);
    EXPECT_TRUE(r.ok()) << messages(r);
    EXPECT_TRUE(r.diagnostics.empty()) << messages(r);
    EXPECT_EQ(r.config.threading.thread_pool_size, 4);
}

TEST(GuideExamples, tuning_profiles_load_with_their_values) {
    for (const auto& p : {Profile{"small", 100, 1, 5, 2}, Profile{"medium", 500, 2, 10, 4},
                          Profile{"large", 1000, 3, 15, 8}, Profile{"enterprise", 5000, 5, 20, 16}}) {
        const std::string toml = "[postgresql]\nquery_stats_limit = " + std::to_string(p.limit) +
                                 "\npool_min_size = " + std::to_string(p.min) +
                                 "\npool_max_size = " + std::to_string(p.max) +
                                 "\n\n[collector_threading]\nthread_pool_size = " + std::to_string(p.threads) + "\n";
        const auto r = load(toml);
        ASSERT_TRUE(r.ok()) << p.name << ": " << messages(r);
        EXPECT_TRUE(r.diagnostics.empty()) << p.name << ": " << messages(r);
        EXPECT_EQ(r.config.postgresql.query_stats_limit, p.limit) << p.name;
        EXPECT_EQ(r.config.postgresql.pool_min_size, p.min) << p.name;
        EXPECT_EQ(r.config.postgresql.pool_max_size, p.max) << p.name;
        EXPECT_EQ(r.config.threading.thread_pool_size, p.threads) << p.name;
    }
}

TEST(GuideExamples, earlier_collector_config_with_postgres_section_loads) {
    const auto r = load(R"(
[collector]
id = "collector-001"
hostname = "db-host-1"
interval = 60

[backend]
url = "https://backend:8080"

[postgres]
host = "localhost"
port = 5432
user = "postgres"
databases = "postgres, app"
)");
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_EQ(r.config.collector.id, "collector-001");
    EXPECT_EQ(r.config.postgresql.databases, (std::vector<std::string>{"postgres", "app"}));
}
