// pg_extensions and pg_schema against objects the tests create in their own database: an installed
// extension with its version, and an inventory with a partitioned table and its partitions, a
// materialized view, primary/foreign/check constraints and a secondary index.
#include "catalog_support.hpp"
#include "pga/collectors/factories.hpp"

#include <functional>
#include <set>

using namespace pga::test;

namespace {

class CatalogInventory : public PgTest {
protected:
    void SetUp() override {
        PgTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        server().exec_sql("DROP DATABASE IF EXISTS inv_db WITH (FORCE)");
        server().exec_sql("CREATE DATABASE inv_db");
        server().exec_sql(
            "CREATE EXTENSION pgstattuple;"
            "CREATE TABLE events (id int, created date, v text) PARTITION BY RANGE (created);"
            "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"
            "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
            "CREATE TABLE ref (id int PRIMARY KEY);"
            "CREATE TABLE child (id int PRIMARY KEY, ref_id int NOT NULL REFERENCES ref (id), CHECK (id > 0));"
            "CREATE INDEX child_ref_idx ON child (ref_id);"
            "CREATE MATERIALIZED VIEW child_mv AS SELECT ref_id, count(*) FROM child GROUP BY ref_id",
            "inv_db");
    }

    nlohmann::json one(std::string_view type, std::unique_ptr<pga::collect::Collector> c,
                       const std::function<void(pga::config::Config&)>& tune = {}) {
        auto config = monitor_config(server());
        if (tune) {
            tune(config);
        }
        const auto run = run_collector(type, *c, server(), config, {"inv_db"});
        EXPECT_EQ(batch_errors(run.metrics), std::vector<std::string>{});
        EXPECT_EQ(run.ok().size(), 1u) << nlohmann::json(run.metrics).dump(2);
        return run.ok().empty() ? nlohmann::json::object() : run.ok()[0];
    }
};

nlohmann::json named(const nlohmann::json& items, const std::string& name) {
    for (const auto& i : items) {
        if (i["name"] == name) {
            return i;
        }
    }
    ADD_FAILURE() << name << " missing from " << items.dump(2);
    return nlohmann::json::object();
}

} // namespace

TEST_F(CatalogInventory, extensions_list_installed_versions) {
    const auto o = one("pg_extensions", pga::collectors::make_extensions());
    EXPECT_EQ(o["database"], "inv_db");
    const auto e = named(o["extensions"], "pgstattuple");
    EXPECT_EQ(e["version"],
              server().query_value("SELECT extversion FROM pg_extension WHERE extname = 'pgstattuple'", "inv_db"));
    EXPECT_EQ(e["schema"], "public");
    EXPECT_EQ(e["update_available"], false);
}

TEST_F(CatalogInventory, schema_includes_partitions_matviews_constraints_and_indexes) {
    const auto o = one("pg_schema", pga::collectors::make_schema());
    const auto& rels = o["relations"];
    EXPECT_EQ(named(rels, "events")["kind"], "partitioned_table");
    EXPECT_EQ(named(rels, "events")["partition_key"], "RANGE (created)");
    EXPECT_EQ(named(rels, "events_2025")["is_partition"], true);
    EXPECT_EQ(named(rels, "events_2025")["parent"], "public.events");
    EXPECT_EQ(named(rels, "child_mv")["kind"], "materialized_view");
    const auto child = named(rels, "child");
    EXPECT_EQ(child["kind"], "table");
    EXPECT_EQ(named(child["columns"], "ref_id")["type"], "integer");
    EXPECT_EQ(named(child["columns"], "ref_id")["not_null"], true);
    std::set<std::string> kinds;
    for (const auto& k : child["constraints"]) {
        kinds.insert(k["kind"].get<std::string>());
        if (k["kind"] == "foreign_key") {
            EXPECT_EQ(k["references_table"], "public.ref"); // search_path is pg_catalog only
        }
    }
    EXPECT_EQ(kinds.erase("not_null"), server().version_major() >= 18 ? 1u : 0u); // 18 lists NOT NULL too
    EXPECT_EQ(kinds, (std::set<std::string>{"check", "foreign_key", "primary_key"}));
    const auto idx = named(child["indexes"], "child_ref_idx");
    EXPECT_EQ(idx["method"], "btree");
    EXPECT_EQ(idx["is_unique"], false);
    EXPECT_EQ(named(child["indexes"], "child_pkey")["is_primary"], true);
    EXPECT_EQ(o["relations_omitted"], 0);
}

TEST_F(CatalogInventory, schema_and_cache_stay_within_their_configured_caps) {
    const auto all = one("pg_schema", pga::collectors::make_schema());
    const auto total = all["relations"].size();
    ASSERT_GE(total, 6u) << all.dump(2);
    const auto capped =
        one("pg_schema", pga::collectors::make_schema(), [](auto& c) { c.tuning.pg_schema_max_relations = 2; });
    EXPECT_EQ(capped["relations"].size(), 2u);
    EXPECT_EQ(capped["relations_omitted"], total - 2);

    server().exec_sql("INSERT INTO ref VALUES (1), (2); INSERT INTO child VALUES (1, 1); SELECT * FROM child c"
                      " JOIN ref r ON r.id = c.ref_id",
                      "inv_db");
    const auto cache = one("pg_cache", pga::collectors::make_cache(), [](auto& c) {
        c.tuning.pg_cache_max_tables = 1;
        c.tuning.pg_cache_max_indexes = 2;
    });
    EXPECT_EQ(cache["tables"].size(), 1u) << cache.dump(2);
    EXPECT_GE(cache["tables_omitted"].get<int>(), 3) << cache.dump(2); // ref, child, two partitions
    EXPECT_EQ(cache["indexes"].size(), 2u) << cache.dump(2);
    EXPECT_GE(cache["indexes_omitted"].get<int>(), 1) << cache.dump(2); // ref_pkey, child_pkey, child_ref_idx
}
