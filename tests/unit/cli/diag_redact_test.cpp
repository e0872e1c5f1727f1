// Unit tests of pga-diag's redaction: the config allowlist (unknown keys and secrets redacted,
// known non-secret values kept) and log scrubbing of configured values and credential shapes.
#include "pga/cli/diag/redact.hpp"

#include <gtest/gtest.h>

namespace pga::cli::diag {
namespace {

TEST(DiagRedact, config_keeps_known_values_and_redacts_secrets_and_unknown_keys) {
    const std::string out = redact_config("[postgresql]\nuser = \"mon\"\npassword = \"s3cret-canary\"\n"
                                          "pool_max_size = 7\n[custom]\napi_key = \"unknown-canary\"\n"
                                          "[backend]\ntoken = \"tok-canary\"\nmystery = 5\n");
    EXPECT_NE(out.find("postgresql.user = 'mon'"), std::string::npos) << out;
    EXPECT_NE(out.find("postgresql.pool_max_size = 7"), std::string::npos) << out;
    EXPECT_NE(out.find("postgresql.password = \"<redacted>\""), std::string::npos) << out;
    EXPECT_NE(out.find("backend.mystery = \"<redacted>\""), std::string::npos) << out;
    EXPECT_EQ(out.find("canary"), std::string::npos) << out;
}

TEST(DiagRedact, unparsable_config_is_not_copied) {
    const std::string out = redact_config("password = \"x-canary\n[[[");
    EXPECT_EQ(out.find("canary"), std::string::npos);
}

TEST(DiagRedact, scrub_removes_configured_values_and_credential_shapes) {
    const std::string out =
        scrub("a planted-pw b password=other1 token: 'two 2' Authorization: Bearer abc.def\n", {"planted-pw", ""});
    EXPECT_EQ(out.find("planted-pw"), std::string::npos) << out;
    EXPECT_EQ(out.find("other1"), std::string::npos) << out;
    EXPECT_EQ(out.find("two 2"), std::string::npos) << out;
    EXPECT_EQ(out.find("abc.def"), std::string::npos) << out;
    EXPECT_EQ(find_secret(out, {"planted-pw"}), "");
    EXPECT_EQ(find_secret("x planted-pw", {"planted-pw"}), "planted-pw");
}

} // namespace
} // namespace pga::cli::diag
