// `pganalytics register [--force]`: registers this collector with the backend using the
// registration secret and stores the identity (collector_id, token, certificate, key) in
// state_dir. Prints the collector_id, never the token or the key.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace pga::cli {

// Registers and stores the identity. Refuses (k_exit_failure) when an identity is stored and
// force is false. Returns k_exit_ok, k_exit_failure or k_exit_config.
int run_register(const std::optional<std::string>& config_path, bool force, std::ostream& out, std::ostream& err);

} // namespace pga::cli
