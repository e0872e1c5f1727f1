// Parsing of PostgreSQL "stderr" server log lines for pg_log: a line starts with the %m or %t
// timestamp of log_line_prefix (default '%m [%p] '), may carry [pid], and names its level before
// ":  ". Lines without a timestamp continue the previous entry; DETAIL, HINT, CONTEXT, STATEMENT and
// QUERY lines attach to it. Query text (STATEMENT, QUERY, CONTEXT, "statement: ..." in messages) is
// obfuscated with sql_obfuscate.hpp and dropped when that fails.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pga::collectors {

struct LogLine {
    std::string local_time;          // "YYYY-MM-DD HH:MM:SS[.fff]" in log_timezone
    std::string zone;                // the zone text that followed it ("UTC", "+02", "CET")
    std::optional<std::int64_t> pid; // from "[pid]" when the prefix has it
    std::string level;               // LOG, ERROR, DETAIL, ...
    std::string message;
};

// Returns the parts of a prefixed log line, or nullopt when line does not start with a timestamp
// followed by a level.
std::optional<LogLine> parse_log_line(std::string_view line);

// Returns local_time (log_timezone, `utc_offset_s` ahead of UTC, or the numeric zone when it has
// one) as RFC3339 UTC with milliseconds; nullopt when malformed.
std::optional<std::string> log_time_utc(const LogLine& line, std::int64_t utc_offset_s);

// Returns the entries of complete log lines: {log_time, level, pid, message, detail, hint,
// context, statement}, each message at most max_message_bytes.
std::vector<nlohmann::json> log_entries(const std::vector<std::string>& lines, std::int64_t utc_offset_s,
                                        std::size_t max_message_bytes = 4096);

} // namespace pga::collectors
