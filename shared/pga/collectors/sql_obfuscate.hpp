// Query text obfuscation for data that leaves the process: every literal (quoted strings, E'' and
// dollar-quoted strings, bit/hex strings, numbers) becomes "?", comments are dropped, identifiers,
// keywords and $n parameters stay. It fails closed: text it cannot tokenize completely
// (unterminated quote or comment, as in a truncated pg_stat_activity.query) yields nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pga::collectors {

// Returns sql with literals replaced by "?" and comments removed; nullopt when sql cannot be
// tokenized with certainty.
std::optional<std::string> obfuscate_sql(std::string_view sql);

} // namespace pga::collectors
