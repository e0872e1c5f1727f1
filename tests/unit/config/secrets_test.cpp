// Unit tests of secret resolution (files, environment, inline), the permission refusal for
// files holding inline secrets, and that no diagnostic ever contains a secret.
#include "config_test_support.hpp"

#include <gtest/gtest.h>

using namespace pga;
using pga::test::fake_env;
using pga::test::load;
using pga::test::messages;
using pga::test::TempDir;

namespace {

config::LoadResult load_path(const std::string& path, std::map<std::string, std::string> env = {}) {
    return config::load_file(path, pga::test::test_metrics(), fake_env(std::move(env)));
}

} // namespace

TEST(Secrets, password_file_is_read_and_trimmed) {
    TempDir dir;
    const auto pw = dir.write("pw", "s3cret-from-file\n");
    const auto r = load("[postgresql]\npassword_file = \"" + pw + "\"\n", {{"PGPASSWORD", "from-env"}});
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_EQ(r.config.postgresql.password.reveal(), "s3cret-from-file");
    EXPECT_EQ(r.config.postgresql.password.source(), "postgresql.password_file " + pw);
}

TEST(Secrets, environment_is_used_when_the_file_sets_nothing) {
    const auto r =
        load("", {{"PGPASSWORD", "pg-env"}, {"PGANALYTICS_TOKEN", "tok-env"}, {"REGISTRATION_SECRET", "reg-env"}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.config.postgresql.password.reveal(), "pg-env");
    EXPECT_EQ(r.config.backend.token.reveal(), "tok-env");
    EXPECT_EQ(r.config.backend.registration_secret.reveal(), "reg-env");
    EXPECT_EQ(r.config.backend.token.source(), "environment variable PGANALYTICS_TOKEN");
}

TEST(Secrets, nothing_set_leaves_password_to_pgpass) {
    const auto r = load("");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.config.postgresql.password.empty());
    EXPECT_EQ(r.config.postgresql.password.describe(), "<none>");
}

TEST(Secrets, token_file_and_registration_secret_file_are_read) {
    TempDir dir;
    const auto tok = dir.write("tok", "tok-file\n");
    const auto reg = dir.write("reg", "reg-file");
    const auto r = load("[backend]\ntoken_file = \"" + tok + "\"\nregistration_secret_file = \"" + reg + "\"\n");
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_EQ(r.config.backend.token.reveal(), "tok-file");
    EXPECT_EQ(r.config.backend.registration_secret.reveal(), "reg-file");
}

TEST(Secrets, unreadable_secret_file_is_an_error_naming_the_key) {
    const auto r = load("[postgresql]\npassword_file = \"/nonexistent/pw\"\n");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(messages(r).find("test.toml:2:17: postgresql.password_file cannot be read: /nonexistent/pw: No such "
                               "file or directory"),
              std::string::npos)
        << messages(r);
}

TEST(Secrets, empty_secret_file_is_an_error) {
    TempDir dir;
    const auto empty = dir.write("empty", "\n");
    EXPECT_FALSE(load("[backend]\ntoken_file = \"" + empty + "\"\n").ok());
}

TEST(Secrets, inline_and_file_together_is_an_error) {
    TempDir dir;
    const auto pw = dir.write("pw", "a");
    const auto r = load("[postgresql]\npassword = \"b\"\npassword_file = \"" + pw + "\"\n");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(messages(r).find("postgresql.password and postgresql.password_file are both set"), std::string::npos);
}

TEST(Secrets, inline_secret_in_group_readable_file_is_refused_with_chmod_hint) {
    TempDir dir;
    const auto path = dir.write("collector.toml", "[postgresql]\npassword = \"canary-pw-4711\"\n", 0644);
    const auto r = load_path(path);
    ASSERT_FALSE(r.ok());
    const auto text = messages(r);
    EXPECT_NE(text.find("holds an inline secret (postgresql.password) but is readable by group or others (mode 0644)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("hint: run: chmod 600 " + path), std::string::npos) << text;
    EXPECT_EQ(text.find("canary-pw-4711"), std::string::npos) << "secret leaked into a message";
}

TEST(Secrets, inline_secret_in_private_file_is_accepted) {
    TempDir dir;
    const auto path = dir.write("collector.toml", "[backend]\ntoken = \"canary-token\"\n", 0600);
    const auto r = load_path(path);
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_EQ(r.config.backend.token.reveal(), "canary-token");
    EXPECT_EQ(r.config.backend.token.describe(), "<redacted, from backend.token in " + path + ">");
}

TEST(Secrets, world_readable_file_without_inline_secret_is_fine) {
    TempDir dir;
    const auto path = dir.write("collector.toml", "[collector]\ninterval = 30\n", 0644);
    EXPECT_TRUE(load_path(path).ok());
}

TEST(Secrets, no_diagnostic_contains_a_secret_value) {
    TempDir dir;
    const auto path = dir.write("collector.toml",
                                "[postgresql]\npassword = \"canary-pw-9\"\npool_max_size = 0\n"
                                "[backend]\ntoken = \"canary-tok-9\"\ncompression = \"canary-tok-9\"\n",
                                0644);
    const auto text = messages(load_path(path));
    EXPECT_EQ(text.find("canary-pw-9"), std::string::npos) << text;
    EXPECT_EQ(text.find("canary-tok-9"), std::string::npos) << "a secret pasted into another key is redacted";
    EXPECT_NE(text.find("backend.compression must be one of none, gzip, got \"<redacted>\""), std::string::npos)
        << text;
    EXPECT_NE(text.find("holds an inline secret"), std::string::npos) << text;
}

TEST(Secrets, secret_pasted_into_a_printed_key_is_dropped_with_a_warning_that_does_not_show_it) {
    TempDir dir;
    const auto pw = dir.write("pw", "canary-pw-pasted-1\n");
    const auto r = load("[collector]\nhostname = \"canary-tok-pasted-2\"\n"
                        "[postgresql]\npassword_file = \"" +
                            pw +
                            "\"\nuser = \"canary-pw-pasted-1\"\ndatabases = [\"postgres\", \"canary-pw-pasted-1\"]\n"
                            "[backend]\nurl = \"http://127.0.0.1:1/canary-reg-pasted-3\"\n",
                        {{"PGANALYTICS_TOKEN", "canary-tok-pasted-2"}, {"REGISTRATION_SECRET", "canary-reg-pasted-3"}});
    ASSERT_TRUE(r.ok()) << messages(r);
    const auto text = messages(r);
    EXPECT_EQ(text.find("canary-"), std::string::npos) << text;
    EXPECT_NE(text.find("collector.hostname holds the backend token: ignored, the default applies"), std::string::npos)
        << text;
    EXPECT_NE(text.find("postgresql.user holds the PostgreSQL password"), std::string::npos) << text;
    EXPECT_NE(text.find("postgresql.databases holds the PostgreSQL password"), std::string::npos) << text;
    EXPECT_NE(text.find("backend.url holds the registration secret"), std::string::npos) << text;
    const config::Config defaults;
    EXPECT_EQ(r.config.postgresql.user, defaults.postgresql.user);
    EXPECT_TRUE(r.config.postgresql.databases.empty());
    EXPECT_EQ(r.config.backend.url, "");
    EXPECT_FALSE(r.config.collector.hostname.empty());
    EXPECT_NE(r.config.collector.hostname, "canary-tok-pasted-2");
    EXPECT_EQ(r.config.postgresql.password.reveal(), "canary-pw-pasted-1") << "the secret itself is kept";
    for (const auto& d : r.diagnostics) {
        EXPECT_EQ(d.severity, config::Severity::warning) << d.format();
    }
}

TEST(Secrets, short_secret_inside_a_longer_value_is_not_taken_for_a_paste) {
    TempDir dir;
    const auto r = load("[collector]\nstate_dir = \"/var/lib/test/state\"\n[postgresql]\nuser = \"test\"\n",
                        {{"PGPASSWORD", "test-pw"}});
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_TRUE(r.diagnostics.empty()) << messages(r);
    EXPECT_EQ(r.config.collector.state_dir, "/var/lib/test/state");
    EXPECT_EQ(r.config.postgresql.user, "test");
}
