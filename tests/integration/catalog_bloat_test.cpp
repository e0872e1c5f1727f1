// pg_bloat on a table bloated on purpose: 100k rows, 90% deleted, vacuumed (space stays allocated)
// and analyzed. With statistics visible (superuser) the estimate is statistics-based; as pga_monitor
// (pg_stats hides tables it cannot read) pgstattuple measures them. Both must show the bloat.
#include "catalog_support.hpp"
#include "pga/collectors/factories.hpp"

using namespace pga::test;

namespace {

class CatalogBloat : public PgTest {
protected:
    void SetUp() override {
        PgTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        server().exec_sql("DROP DATABASE IF EXISTS bloat_db WITH (FORCE)");
        server().exec_sql("CREATE DATABASE bloat_db");
        server().exec_sql("CREATE EXTENSION pgstattuple; CREATE TABLE bloat_t (id int PRIMARY KEY, pad text)"
                          " WITH (autovacuum_enabled = false); INSERT INTO bloat_t SELECT g, repeat('x', 100)"
                          " FROM generate_series(1, 100000) g; DELETE FROM bloat_t WHERE id % 10 <> 0",
                          "bloat_db");
        server().exec_sql("VACUUM ANALYZE bloat_t", "bloat_db");
    }
};

nlohmann::json find(const nlohmann::json& items, const char* key, const char* name) {
    for (const auto& i : items) {
        if (i[key] == name) {
            return i;
        }
    }
    ADD_FAILURE() << name << " not in " << items.dump(2);
    return nlohmann::json::object();
}

nlohmann::json bloat_of(const CollectorRun& run) {
    EXPECT_EQ(run.ok().size(), 1u) << nlohmann::json(run.metrics).dump(2);
    EXPECT_EQ(batch_errors(run.metrics), std::vector<std::string>{});
    return run.ok().empty() ? nlohmann::json::object() : run.ok()[0];
}

} // namespace

TEST_F(CatalogBloat, statistics_estimate_shows_table_and_index_bloat) {
    auto collector = pga::collectors::make_bloat();
    const auto run = run_collector("pg_bloat", *collector, conn_params(server().superuser_conninfo_params()),
                                   std::stoi(server().query_value("SHOW server_version_num")), monitor_config(server()),
                                   {"bloat_db"});
    const auto o = bloat_of(run);
    const auto t = find(o["tables"], "relname", "bloat_t");
    EXPECT_EQ(t["method"], "statistics");
    EXPECT_GT(t["bloat_percent"].get<double>(), 70.0) << t.dump();
    EXPECT_GT(t["bloat_bytes"].get<std::int64_t>(), t["real_size_bytes"].get<std::int64_t>() / 2);
    const auto i = find(o["indexes"], "indexrelname", "bloat_t_pkey");
    EXPECT_EQ(i["method"], "statistics");
    EXPECT_GT(i["bloat_percent"].get<double>(), 70.0) << i.dump();
}

TEST_F(CatalogBloat, pg_monitor_role_measures_with_pgstattuple) {
    auto collector = pga::collectors::make_bloat();
    const auto run = run_collector("pg_bloat", *collector, server(), monitor_config(server()), {"bloat_db"});
    const auto o = bloat_of(run);
    EXPECT_EQ(o["pgstattuple_available"], true);
    const auto t = find(o["tables"], "relname", "bloat_t");
    EXPECT_EQ(t["method"], "pgstattuple");
    EXPECT_GT(t["bloat_percent"].get<double>(), 70.0) << t.dump();
    const auto i = find(o["indexes"], "indexrelname", "bloat_t_pkey");
    EXPECT_EQ(i["method"], "pgstattuple");
    EXPECT_GT(i["bloat_percent"].get<double>(), 70.0) << i.dump();
    EXPECT_EQ(o["measure_errors"], 0);
}

TEST_F(CatalogBloat, max_measured_and_min_pages_bound_the_work) {
    auto collector = pga::collectors::make_bloat();
    auto config = monitor_config(server());
    config.tuning.pg_bloat_max_measured = 0; // pga_monitor cannot see the statistics: nothing is measured
    const auto unmeasured = bloat_of(run_collector("pg_bloat", *collector, server(), config, {"bloat_db"}));
    EXPECT_EQ(unmeasured["tables"], nlohmann::json::array()) << unmeasured.dump(2);
    EXPECT_GE(unmeasured["tables_without_estimate"].get<int>(), 1);
    EXPECT_GE(unmeasured["indexes_without_estimate"].get<int>(), 1);

    config = monitor_config(server());
    config.tuning.pg_bloat_min_pages = 1000000000; // every relation is too small to estimate
    const auto superuser = conn_params(server().superuser_conninfo_params());
    const auto version = std::stoi(server().query_value("SHOW server_version_num"));
    const auto none = bloat_of(run_collector("pg_bloat", *collector, superuser, version, config, {"bloat_db"}));
    EXPECT_EQ(none["tables"], nlohmann::json::array()) << none.dump(2);
    EXPECT_EQ(none["indexes"], nlohmann::json::array()) << none.dump(2);
    EXPECT_EQ(none["tables_without_estimate"], 0);

    config.tuning.pg_bloat_min_pages = 0;
    config.tuning.pg_bloat_max_relations = 1;
    const auto one = bloat_of(run_collector("pg_bloat", *collector, superuser, version, config, {"bloat_db"}));
    EXPECT_EQ(one["tables"].size(), 1u) << one.dump(2);
    EXPECT_EQ(one["indexes"].size(), 1u) << one.dump(2);
}
