// Diagnostics: see diagnostic.hpp.
#include "pga/config/diagnostic.hpp"

#include <algorithm>

namespace pga::config {

std::string Diagnostic::format() const {
    std::string out = file;
    if (line > 0) {
        out += ":" + std::to_string(line) + ":" + std::to_string(column);
    }
    out += ": ";
    if (severity == Severity::warning) {
        out += "warning: ";
    }
    out += message;
    if (!hint.empty()) {
        out += "\nhint: " + hint;
    }
    return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::error; });
}

} // namespace pga::config
