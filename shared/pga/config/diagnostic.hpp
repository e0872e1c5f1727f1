// A configuration problem found while loading: severity, file:line:column, message and hint.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pga::config {

enum class Severity { warning, error };

struct Diagnostic {
    Severity severity = Severity::error;
    std::string file;
    std::int64_t line = 0; // 0 when the problem has no position (a missing file)
    std::int64_t column = 0;
    std::string message; // lowercase, names the key: "postgresql.pool_max_size must be ..."
    std::string hint;    // optional likely fix

    // Returns "file:line:column: message" (plus "\nhint: ..." when there is a hint), prefixed by
    // "warning: " for warnings.
    std::string format() const;
};

// Returns true when any diagnostic is an error.
bool has_errors(const std::vector<Diagnostic>& diagnostics);

} // namespace pga::config
