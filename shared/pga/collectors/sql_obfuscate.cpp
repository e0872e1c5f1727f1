// Query text obfuscation: see sql_obfuscate.hpp. A single left-to-right scan; each helper consumes
// one token starting at i and returns the index after it, or npos when the token never ends.
#include "pga/collectors/sql_obfuscate.hpp"

namespace pga::collectors {

namespace {

constexpr auto npos = std::string_view::npos;

bool ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
}

bool digit(char c) {
    return c >= '0' && c <= '9';
}

// Quoted string from the quote at i; backslash escapes when escapes. Doubled quotes continue it.
std::size_t skip_quoted(std::string_view s, std::size_t i, char quote, bool escapes) {
    for (++i; i < s.size(); ++i) {
        if (escapes && s[i] == '\\') {
            ++i;
        } else if (s[i] == quote) {
            if (i + 1 < s.size() && s[i + 1] == quote) {
                ++i;
            } else {
                return i + 1;
            }
        }
    }
    return npos;
}

// Nested /* */ comment starting at i.
std::size_t skip_block_comment(std::string_view s, std::size_t i) {
    int depth = 0;
    while (i + 1 < s.size()) {
        if (s[i] == '/' && s[i + 1] == '*') {
            ++depth;
            i += 2;
        } else if (s[i] == '*' && s[i + 1] == '/') {
            i += 2;
            if (--depth == 0) {
                return i;
            }
        } else {
            ++i;
        }
    }
    return npos;
}

// Dollar-quoted string at i ($tag$...$tag$), or 0 when the '$' at i opens none.
std::size_t skip_dollar(std::string_view s, std::size_t i) {
    std::size_t j = i + 1;
    while (j < s.size() && ident_char(s[j]) && s[j] != '$') {
        ++j;
    }
    if (j >= s.size() || s[j] != '$' || (j > i + 1 && digit(s[i + 1]))) {
        return 0;
    }
    const auto tag = s.substr(i, j - i + 1);
    const auto end = s.find(tag, j + 1);
    return end == npos ? npos : end + tag.size();
}

// Number at i (digits, fraction, exponent, hex/octal/binary prefixes, underscores).
std::size_t skip_number(std::string_view s, std::size_t i) {
    while (i < s.size() && (ident_char(s[i]) || s[i] == '.')) {
        if ((s[i] == 'e' || s[i] == 'E') && i + 1 < s.size() && (s[i + 1] == '+' || s[i + 1] == '-')) {
            ++i;
        }
        ++i;
    }
    return i;
}

// Literal prefixed by a letter (E'', B'', X'', N'', U&''), or 0 when there is none at i.
std::size_t skip_prefixed(std::string_view s, std::size_t i) {
    const char c = static_cast<char>(s[i] | 0x20);
    if ((c == 'e' || c == 'b' || c == 'x' || c == 'n') && i + 1 < s.size() && s[i + 1] == '\'') {
        return skip_quoted(s, i + 1, '\'', c == 'e');
    }
    if (c == 'u' && i + 2 < s.size() && s[i + 1] == '&' && s[i + 2] == '\'') {
        return skip_quoted(s, i + 2, '\'', false);
    }
    return 0;
}

} // namespace

std::optional<std::string> obfuscate_sql(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    std::size_t token_end = 0; // where the last skipped token ended: a new token starts there
    while (i < s.size()) {
        const char c = s[i];
        // A token starts after a non-identifier character or right after a skipped token (after
        // "$$$$" the next "$$" opens another string, though '$' is an identifier character).
        const bool word_start = i == token_end || !ident_char(s[i - 1]);
        std::size_t end = 0;
        bool literal = true;
        if (c == '\'') {
            end = skip_quoted(s, i, '\'', false);
        } else if (c == '"') {
            end = skip_quoted(s, i, '"', false);
            literal = false;
        } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
            end = s.find('\n', i);
            end = end == npos ? s.size() : end;
            literal = false;
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            end = skip_block_comment(s, i);
            literal = false;
        } else if (c == '$' && word_start) {
            end = skip_dollar(s, i);
        } else if (word_start && (digit(c) || (c == '.' && i + 1 < s.size() && digit(s[i + 1])))) {
            end = skip_number(s, i);
        } else if (word_start) {
            end = skip_prefixed(s, i);
        }
        if (end == npos) {
            return std::nullopt;
        }
        if (end == 0) {
            out += c;
            ++i;
            continue;
        }
        if (literal) {
            out += '?';
        } else if (c == '"') {
            out.append(s.substr(i, end - i));
        } else {
            out += ' ';
        }
        i = end;
        token_end = end;
    }
    return out;
}

} // namespace pga::collectors
