// Unit tests of TOML loading: types, ranges, unknown keys, section spellings, database lists and
// positions in error messages.
#include "config_test_support.hpp"

#include <gtest/gtest.h>

using namespace pga;
using pga::test::load;
using pga::test::messages;

TEST(ConfigLoader, empty_file_gives_documented_defaults) {
    const auto r = load("");
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_EQ(r.config.collector.interval_s, 60);
    EXPECT_EQ(r.config.collector.push_interval_s, 60);
    EXPECT_EQ(r.config.collector.config_pull_interval_s, 300);
    EXPECT_EQ(r.config.collector.state_dir, "/var/lib/pganalytics");
    EXPECT_EQ(r.config.collector.log_file, "/var/log/pganalytics/collector.log");
    EXPECT_EQ(r.config.postgresql.query_stats_limit, 100);
    EXPECT_EQ(r.config.postgresql.pool_min_size, 2);
    EXPECT_EQ(r.config.postgresql.pool_max_size, 10);
    EXPECT_EQ(r.config.postgresql.pool_idle_timeout_s, 300);
    EXPECT_EQ(r.config.threading.thread_pool_size, 4);
    EXPECT_TRUE(r.config.tls.verify);
    EXPECT_FALSE(r.config.exporter.enabled);
    EXPECT_EQ(r.config.backend.compression, "none");
    EXPECT_FALSE(r.config.collector.hostname.empty()) << "hostname defaults to the host's name";
    EXPECT_EQ(r.config.metrics.at("disk_usage").interval_s, 300);
}

TEST(ConfigLoader, out_of_range_names_file_line_column_key_and_bounds) {
    const auto r = load("[postgresql]\nquery_stats_limit = 20000\n");
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(r.diagnostics[0].format(),
              "test.toml:2:21: postgresql.query_stats_limit must be between 10 and 10000, got 20000");
}

TEST(ConfigLoader, every_error_is_reported_at_once) {
    const auto r = load("[postgresql]\nquery_stats_limit = 5\npool_max_size = \"ten\"\n[collector]\ninterval = 0\n");
    EXPECT_EQ(r.diagnostics.size(), 3u) << messages(r);
    EXPECT_NE(messages(r).find("test.toml:3:17: postgresql.pool_max_size must be an integer, got a string"),
              std::string::npos)
        << messages(r);
    EXPECT_NE(messages(r).find("collector.interval must be between 1 and 86400, got 0"), std::string::npos);
}

TEST(ConfigLoader, invalid_toml_is_reported_on_one_line) {
    // Found by fuzz_config: toml++ quotes the offending text, newline and control characters included.
    const auto r = load("[tls]\nverify = fal\nx = 1\n[a]\nb = \"\x1b[31m\n");
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.diagnostics.size(), 1u);
    const auto& message = r.diagnostics[0].message;
    EXPECT_EQ(message.rfind("invalid TOML: ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find("\\n"), std::string::npos) << message;
}

TEST(ConfigLoader, a_secret_that_is_part_of_the_redaction_marker_is_redacted_once) {
    // Found while writing fuzz_config's redaction property: "acte" is inside "<redacted>", so each
    // replacement was found again and the loader never returned.
    const auto r = load("[postgresql]\npassword = \"acte\"\n[collector]\nacte = 1\n");
    const auto text = messages(r);
    EXPECT_NE(text.find("<redacted>"), std::string::npos) << text;
    EXPECT_LT(text.size(), 1000u) << text;
}

TEST(ConfigLoader, unknown_key_warns_with_nearest_known_key) {
    const auto r = load("[postgresql]\npool_max_sise = 5\n");
    ASSERT_TRUE(r.ok()) << "unknown keys are warnings";
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(r.diagnostics[0].severity, config::Severity::warning);
    EXPECT_NE(r.diagnostics[0].message.find("did you mean pool_max_size?"), std::string::npos);
    EXPECT_EQ(r.config.postgresql.pool_max_size, 10);
}

TEST(ConfigLoader, unknown_section_warns_with_nearest_section) {
    const auto r = load("[colector]\ninterval = 5\n");
    ASSERT_TRUE(r.ok());
    EXPECT_NE(messages(r).find("unknown section [colector]; did you mean collector?"), std::string::npos)
        << messages(r);
}

TEST(ConfigLoader, old_postgres_section_spelling_is_accepted) {
    const auto r = load("[postgres]\nhost = \"db1\"\nport = 5433\n");
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_EQ(r.config.postgresql.host, "db1");
    EXPECT_EQ(r.config.postgresql.port, 5433);
}

TEST(ConfigLoader, same_key_in_both_section_spellings_is_an_error) {
    const auto r = load("[postgres]\nport = 5433\n[postgresql]\nport = 5434\nhost = \"x\"\n");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(messages(r).find("port is set in both [postgres] and [postgresql]"), std::string::npos) << messages(r);
}

TEST(ConfigLoader, databases_accepts_comma_string_and_array) {
    const auto a = load("[postgres]\ndatabases = \"app, billing ,reports\"\n");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a.config.postgresql.databases, (std::vector<std::string>{"app", "billing", "reports"}));
    const auto b = load("[postgresql]\ndatabases = [\"app\", \"odd, name\"]\n");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.config.postgresql.databases, (std::vector<std::string>{"app", "odd, name"}));
    const auto c = load("[postgresql]\ndatabases = [\"app\", 3]\n");
    EXPECT_FALSE(c.ok());
    EXPECT_NE(messages(c).find("postgresql.databases must contain only strings, got an integer"), std::string::npos);
}

TEST(ConfigLoader, pool_min_above_max_is_an_error) {
    const auto r = load("[postgresql]\npool_min_size = 8\npool_max_size = 4\n");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(messages(r).find("test.toml:2:17: postgresql.pool_min_size (8) must not exceed pool_max_size (4)"),
              std::string::npos)
        << messages(r);
}

TEST(ConfigLoader, invalid_toml_reports_position) {
    const auto r = load("[collector]\ninterval = = 3\n");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.diagnostics[0].line, 2);
    EXPECT_NE(r.diagnostics[0].message.find("invalid TOML"), std::string::npos);
}

TEST(ConfigLoader, choices_are_enforced) {
    const auto r = load("[backend]\ncompression = \"zstd\"\n");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(messages(r).find("backend.compression must be one of none, gzip, got \"zstd\""), std::string::npos);
}

TEST(ConfigLoader, metric_sections_set_enabled_interval_and_timeout) {
    const auto r = load("[pg_stats]\nenabled = false\ninterval = 120\n[sysstat]\ntimeout = 5\n");
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_FALSE(r.config.metrics.at("pg_stats").enabled);
    EXPECT_EQ(r.config.metrics.at("pg_stats").interval_s, 120);
    EXPECT_EQ(r.config.metrics.at("sysstat").timeout_s, 5);
    EXPECT_TRUE(r.config.metrics.at("pg_query_stats").enabled);
}

TEST(ConfigLoader, backend_url_must_be_http_or_https) {
    EXPECT_TRUE(load("[backend]\nurl = \"https://backend:8080\"\n").ok());
    EXPECT_TRUE(load("[backend]\nurl = \"http://backend:8080\"\n").ok());
    EXPECT_FALSE(load("[backend]\nurl = \"ftp://backend\"\n").ok());
}

TEST(ConfigLoader, cert_without_key_is_an_error) {
    pga::test::TempDir dir;
    const auto cert = dir.write("c.pem", "x");
    const auto r = load("[tls]\ncert_file = \"" + cert + "\"\n");
    EXPECT_FALSE(r.ok());
    EXPECT_NE(messages(r).find("tls.cert_file and tls.key_file must be set together"), std::string::npos);
}

TEST(ConfigLoader, verify_false_is_recorded_as_written) {
    const auto r = load("[tls]\nverify = false\n");
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.config.tls.verify);
    EXPECT_TRUE(r.config.tls.verify_written);
    EXPECT_FALSE(load("").config.tls.verify_written);
}

TEST(ConfigLoader, exporter_listen_must_be_address_and_port) {
    EXPECT_TRUE(load("[exporter]\nlisten = \"127.0.0.1:9188\"\n").ok());
    EXPECT_FALSE(load("[exporter]\nlisten = \"localhost\"\n").ok());
    EXPECT_FALSE(load("[exporter]\nlisten = \"127.0.0.1:99999\"\n").ok());
}

TEST(ConfigLoader, control_characters_in_values_are_escaped_in_messages) {
    const auto r = load("[backend]\ncompression = \"a\\nb\"\n");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(messages(r).find("a\nb"), std::string::npos);
    EXPECT_NE(messages(r).find("a\\nb"), std::string::npos);
}

TEST(ConfigLoader, resolve_config_path_prefers_cli_then_env_then_default) {
    const auto env = pga::test::fake_env({{"PGANALYTICS_CONFIG", "/from/env.toml"}});
    EXPECT_EQ(config::resolve_config_path(std::string("/cli.toml"), env), "/cli.toml");
    EXPECT_EQ(config::resolve_config_path(std::nullopt, env), "/from/env.toml");
    EXPECT_EQ(config::resolve_config_path(std::nullopt, pga::test::fake_env()), "/etc/pganalytics/collector.toml");
}

TEST(ConfigLoader, missing_file_is_an_error_naming_the_path) {
    const auto r = config::load_file("/nonexistent/collector.toml", pga::test::test_metrics(), pga::test::fake_env());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.diagnostics[0].format(),
              "/nonexistent/collector.toml: cannot read configuration file: No such file or directory\n"
              "hint: pass the file with -c FILE or set PGANALYTICS_CONFIG");
}
