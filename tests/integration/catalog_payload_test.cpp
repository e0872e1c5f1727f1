// The whole collector table run as the pg_monitor-only role against the shared server: every
// registered type yields objects, none is an error, and the batch validates against
// docs/payload.schema.json. Also checks that the schema validator itself rejects bad objects.
#include "catalog_support.hpp"
#include "json_schema.hpp"
#include "pga/collect/registry.hpp"

#include <filesystem>

using namespace pga::test;

class CatalogPayload : public PgTest {};

TEST_F(CatalogPayload, every_collector_works_for_pg_monitor_and_validates) {
    server().exec_sql("DROP DATABASE IF EXISTS payload_db WITH (FORCE)");
    server().exec_sql("CREATE DATABASE payload_db");
    char tmpl[] = "/tmp/pga-payload-XXXXXX";
    const std::string state_dir = ::mkdtemp(tmpl);
    const auto config = monitor_config(server(), state_dir);
    const std::vector<std::string> dbs = {"postgres", "payload_db"};
    std::vector<nlohmann::json> batch;
    for (const auto& info : pga::collect::collectors()) {
        auto collector = info.make();
        auto run = run_collector(info.name, *collector, server(), config, dbs);
        if (info.name == "pg_log" || info.name == "pg_settings") {
            run = run_collector(info.name, *collector, server(), config, dbs); // the run after the first
        }
        EXPECT_FALSE(run.metrics.empty()) << info.name;
        for (const auto& m : run.metrics) {
            EXPECT_NE(m["status"], "error") << info.name << ": " << m.dump();
            const bool may_be_unavailable = info.name == "pg_io" && server().version_major() < 16;
            if (m["status"] == "unavailable") {
                EXPECT_TRUE(may_be_unavailable) << info.name << ": " << m.dump();
            }
            batch.push_back(m);
        }
    }
    EXPECT_EQ(batch_errors(batch), std::vector<std::string>{});
    std::filesystem::remove_all(state_dir);
}

TEST(CatalogSchema, validator_rejects_wrong_types_and_missing_keys) {
    const auto schema = nlohmann::json::parse(R"({
        "$defs": {"n": {"type": ["integer", "null"]}},
        "type": "object", "required": ["a"],
        "properties": {"a": {"$ref": "#/$defs/n"}, "s": {"enum": ["ok", "error"]}},
        "additionalProperties": false,
        "allOf": [{"if": {"required": ["s"], "properties": {"s": {"const": "error"}}}, "then": {"required": ["e"]}}]
    })");
    EXPECT_TRUE(validate_json(schema, {{"a", 1}}).empty());
    EXPECT_TRUE(validate_json(schema, {{"a", nullptr}}).empty());
    EXPECT_EQ(validate_json(schema, {{"a", "1"}}).size(), 1u);
    EXPECT_EQ(validate_json(schema, nlohmann::json::object()).size(), 1u);
    EXPECT_EQ(validate_json(schema, {{"a", 1}, {"zz", 1}}).size(), 1u);
    EXPECT_EQ(validate_json(schema, {{"a", 1}, {"s", "bad"}}).size(), 1u);
    EXPECT_EQ(validate_json(schema, {{"a", 1}, {"s", "error"}}).size(), 1u); // "e" missing
}

TEST(CatalogSchema, schema_rejects_a_metric_without_status_or_with_a_wrong_shape) {
    EXPECT_FALSE(batch_errors({{{"type", "pg_locks"}, {"timestamp", "2026-01-01T00:00:00Z"}}}).empty());
    EXPECT_FALSE(
        batch_errors({{{"type", "pg_locks"}, {"timestamp", "2026-01-01T00:00:00Z"}, {"status", "ok"}, {"counts", "x"}}})
            .empty());
    EXPECT_TRUE(batch_errors({{{"type", "pg_io"},
                               {"timestamp", "2026-01-01T00:00:00Z"},
                               {"status", "unavailable"},
                               {"reason", "needs PostgreSQL 16"}}})
                    .empty());
}
