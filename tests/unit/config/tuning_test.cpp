// The per-type tuning keys ([pg_bloat] max_relations, [pg_log] max_read_kib, ...): each binds to its
// Config field, has the documented default and range, and exists for the real collector table (a
// key whose type is missing from the table would silently disappear from the file).
#include "config_test_support.hpp"

#include "pga/collect/registry.hpp"

#include <gtest/gtest.h>

using namespace pga;
using pga::test::load;
using pga::test::messages;
using Tuning = config::Config::Collectors;

namespace {

struct TuningKey {
    const char* section;
    const char* name;
    std::int64_t Tuning::*field;
    std::int64_t default_value;
    std::int64_t min;
    std::int64_t max;
};

constexpr std::int64_t k_big = 2147483647;

const TuningKey k_keys[] = {
    {"pg_stats", "max_tables", &Tuning::pg_stats_max_tables, 200, 1, k_big},
    {"pg_stats", "max_indexes", &Tuning::pg_stats_max_indexes, 200, 1, k_big},
    {"pg_connections", "long_running_threshold", &Tuning::pg_connections_long_running_s, 300, 1, k_big},
    {"pg_connections", "max_sessions", &Tuning::pg_connections_max_sessions, 100, 1, 100000},
    {"pg_log", "max_lines", &Tuning::pg_log_max_lines, 1000, 1, 1000000},
    {"pg_log", "max_read_kib", &Tuning::pg_log_max_read_kib, 8192, 64, 1048576},
    {"pg_bloat", "max_relations", &Tuning::pg_bloat_max_relations, 100, 1, 100000},
    {"pg_bloat", "min_pages", &Tuning::pg_bloat_min_pages, 10, 0, k_big},
    {"pg_bloat", "max_measured", &Tuning::pg_bloat_max_measured, 10, 0, 10000},
    {"pg_cache", "max_tables", &Tuning::pg_cache_max_tables, 200, 1, 100000},
    {"pg_cache", "max_indexes", &Tuning::pg_cache_max_indexes, 200, 1, 100000},
    {"pg_schema", "max_relations", &Tuning::pg_schema_max_relations, 2000, 1, 1000000},
};

std::string qualified(const TuningKey& k) {
    return std::string(k.section) + "." + k.name;
}

const config::Option* find(const std::vector<config::Option>& table, const TuningKey& k) {
    for (const auto& o : table) {
        if (o.section == k.section && o.name == k.name) {
            return &o;
        }
    }
    return nullptr;
}

} // namespace

TEST(Tuning, every_key_sets_its_own_field_and_nothing_else) {
    const Tuning defaults;
    for (const auto& k : k_keys) {
        const auto value = k.min + 1 == k.default_value ? k.min + 2 : k.min + 1;
        const auto r = load(std::string("[") + k.section + "]\n" + k.name + " = " + std::to_string(value) + "\n");
        ASSERT_TRUE(r.ok()) << qualified(k) << ": " << messages(r);
        for (const auto& other : k_keys) {
            const auto expected = &other == &k ? value : defaults.*other.field;
            EXPECT_EQ(r.config.tuning.*other.field, expected) << "after setting " << qualified(k);
        }
    }
}

TEST(Tuning, every_key_has_its_documented_default_and_range) {
    const auto table = config::option_table(pga::test::test_metrics());
    const Tuning defaults;
    for (const auto& k : k_keys) {
        EXPECT_EQ(defaults.*k.field, k.default_value) << qualified(k);
        const auto* o = find(table, k);
        ASSERT_NE(o, nullptr) << qualified(k) << " is not in the option table";
        EXPECT_EQ(o->type, config::Type::integer) << qualified(k);
        EXPECT_EQ(o->min, k.min) << qualified(k);
        EXPECT_EQ(o->max, k.max) << qualified(k);
        const auto r = load(std::string("[") + k.section + "]\n" + k.name + " = " + std::to_string(k.min - 1) + "\n");
        EXPECT_FALSE(r.ok()) << qualified(k) << " accepted " << k.min - 1;
    }
}

TEST(Tuning, every_key_exists_for_the_real_collector_table) {
    const auto table = config::option_table(collect::metric_defaults());
    for (const auto& k : k_keys) {
        EXPECT_NE(find(table, k), nullptr) << qualified(k) << ": no such metric type in the collector table";
    }
    const auto r = config::load_text("[pg_bloat]\nmax_relations = 0\n", "t.toml", collect::metric_defaults(),
                                     pga::test::fake_env());
    EXPECT_NE(messages(r).find("pg_bloat.max_relations must be between 1 and 100000, got 0"), std::string::npos)
        << messages(r);
}

TEST(Tuning, the_include_query_text_switch_stays_off_by_default) {
    EXPECT_FALSE(Tuning{}.pg_connections_include_query_text);
    const auto r = load("[pg_connections]\ninclude_query_text = true\n");
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_TRUE(r.config.tuning.pg_connections_include_query_text);
}
