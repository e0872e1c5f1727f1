// Converting result rows to JSON objects by a small column table: each column is read as an
// integer, a number, text or a boolean, and SQL NULL becomes JSON null (never 0 or "").
#pragma once

#include "pga/pg/result.hpp"

#include <nlohmann/json.hpp>
#include <span>

namespace pga::collectors {

enum class Kind { integer, number, text, boolean };

struct Field {
    const char* column;
    Kind kind;
};

// Returns {column: value} for each field of row `row`; a column missing from the result is null.
nlohmann::json row_object(const pg::Result& r, int row, std::span<const Field> fields);

// Returns SQL rendering timestamptz expression `expr` as RFC3339 UTC text named `name` (NULL stays NULL).
std::string rfc3339_sql(const std::string& expr, const std::string& name);

} // namespace pga::collectors
