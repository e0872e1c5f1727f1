// pga-validate: the pre-deployment checks. run() performs the chosen sections and returns the
// report (pga-diag embeds it); validate_main() prints it and returns the exit code
// (0 all ok, 1 warnings only, 2 any error).
#pragma once

#include "pga/cli/validate/report.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace pga::cli::validate {

struct Options {
    std::optional<std::string> config_path;
    std::vector<std::string> only; // section names; empty means all
    bool json = false;
};

// Returns true when section is one of k_sections.
bool is_section(const std::string& section);

// Loads the config and runs the sections in `only` (all when empty). Never throws.
Report run(const std::optional<std::string>& config_path, const std::vector<std::string>& only);

// Runs, prints (human with colour when out is a TTY, or JSON) and returns the exit code.
int validate_main(const Options& options, std::ostream& out, std::ostream& err);

} // namespace pga::cli::validate
