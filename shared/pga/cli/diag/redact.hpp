// Redaction for the diagnostic bundle. The config is rewritten from an allowlist: only keys the
// option table knows and marks non-secret keep their values; secrets and unknown keys become
// "<redacted>". Logs are scrubbed of the configured secret values and of anything shaped like a
// password=, token= or Bearer credential.
#pragma once

#include <string>
#include <vector>

namespace pga::cli::diag {

inline constexpr const char* k_redacted = "<redacted>";

// Returns the TOML text rewritten as `section.key = value` lines through the allowlist; a file
// that does not parse yields a single comment line (its text is never copied).
std::string redact_config(const std::string& toml_text);

// Returns text with every secret (non-empty) and every password=/token=/secret=/Bearer value replaced.
std::string scrub(const std::string& text, const std::vector<std::string>& secrets);

// Returns the first secret (non-empty, length >= 4) found in text, or "" when none is.
std::string find_secret(const std::string& text, const std::vector<std::string>& secrets);

} // namespace pga::cli::diag
