// `pganalytics --validate-config`: load the file, print the guide's summary or every error.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace pga::cli {

// Prints "Configuration loaded successfully", the collector id, backend URL and a summary to
// out (diagnostics to err). Returns k_exit_ok or k_exit_config.
int validate_config(const std::optional<std::string>& config_path, std::ostream& out, std::ostream& err);

} // namespace pga::cli
