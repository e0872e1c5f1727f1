// Small string helpers shared by every layer: trimming, splitting, case, edit distance and
// escaping of control characters for logs and one-line errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pga::util {

// Returns s without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view s);

// Splits s on sep, trims each piece and drops empty pieces ("a, b,,c" -> {a,b,c}).
std::vector<std::string> split_list(std::string_view s, char sep = ',');

// Joins parts with sep between them.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Returns s in ASCII lower case.
std::string to_lower(std::string_view s);

// Returns the Levenshtein edit distance between a and b.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Returns the candidate closest to word when it is close enough to be a likely typo, else "".
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// Returns s with control characters, backslashes and invalid UTF-8 escaped (\n, \x01, \\), so a
// value can never split or forge a log line.
std::string escape_control(std::string_view s);

// Returns true when s is valid UTF-8.
bool is_valid_utf8(std::string_view s);

// Returns true when text starts with prefix.
inline bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

} // namespace pga::util
