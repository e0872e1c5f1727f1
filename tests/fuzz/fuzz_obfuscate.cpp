// libFuzzer target: the query-text obfuscator (collectors::obfuscate_sql) and the query-text
// clean-up of pg_query_stats (collectors::clean_query_text) on arbitrary text. Properties of the
// obfuscator (sql_obfuscate.hpp, tests/unit/collectors/sql_obfuscate_test.cpp): outside quoted
// identifiers its output holds no quote character (every string literal became "?") and no digit
// that starts a token (every number became "?"; digits stay only inside identifiers and $n
// parameters); obfuscating its own output changes nothing. Properties of the clean-up: a text
// that mentions a password and holds a literal is cut after the word; otherwise the text is kept,
// or cut at a UTF-8 boundary and marked when longer than the cap; no output exceeds the cap (plus
// the marker).
#include "fuzz_check.hpp"
#include "pga/collectors/query_text.hpp"
#include "pga/collectors/sql_obfuscate.hpp"
#include "pga/util/strings.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

bool ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// Checks that obfuscated text holds no literal: no quote and no token-starting digit outside
// "quoted identifiers" (which the obfuscator copies verbatim, doubled quotes included).
void check_no_literal(std::string_view out) {
    bool in_ident = false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const char c = out[i];
        if (in_ident) {
            in_ident = c != '"';
            continue;
        }
        if (c == '"') {
            in_ident = true;
            continue;
        }
        PGA_FUZZ_CHECK(c != '\'');
        if (c >= '0' && c <= '9') {
            PGA_FUZZ_CHECK(i > 0 && ident_char(out[i - 1]));
        }
    }
    PGA_FUZZ_CHECK(!in_ident);
}

// Returns true when text holds a string literal: a quote or a dollar quote ($$, $tag$), as
// opposed to the $1 parameters of normalized statements.
bool holds_literal(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\'' || (text[i] == '$' && i + 1 < text.size() && (text[i + 1] < '0' || text[i + 1] > '9'))) {
            return true;
        }
    }
    return false;
}

void check_clean_query_text(std::string_view text) {
    const auto out = pga::collectors::clean_query_text(text);
    const auto word = pga::util::to_lower(text).find("password");
    constexpr std::string_view truncated = " ... (truncated)";
    PGA_FUZZ_CHECK(out.size() <= pga::collectors::k_max_query_text_bytes + truncated.size());
    if (word != std::string::npos && holds_literal(text) && word + 8 <= pga::collectors::k_max_query_text_bytes) {
        PGA_FUZZ_CHECK(out == std::string(text.substr(0, word + 8)) + " <redacted>");
        return;
    }
    if (text.size() <= pga::collectors::k_max_query_text_bytes) {
        PGA_FUZZ_CHECK(out == text);
        return;
    }
    PGA_FUZZ_CHECK(out.size() >= truncated.size());
    const auto kept = std::string_view(out).substr(0, out.size() - truncated.size());
    PGA_FUZZ_CHECK(std::string_view(out).substr(kept.size()) == truncated);
    PGA_FUZZ_CHECK(kept.size() <= pga::collectors::k_max_query_text_bytes);
    PGA_FUZZ_CHECK(text.substr(0, kept.size()) == kept);
    if (pga::fuzz::strict_utf8(text)) {
        PGA_FUZZ_CHECK(pga::fuzz::strict_utf8(kept));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view sql(reinterpret_cast<const char*>(data), size);
    if (const auto out = pga::collectors::obfuscate_sql(sql)) {
        check_no_literal(*out);
        const auto again = pga::collectors::obfuscate_sql(*out);
        PGA_FUZZ_CHECK(again.has_value() && *again == *out);
    }
    check_clean_query_text(sql);
    // The same text at the end of one just under the cap, so the cut at a UTF-8 boundary is reached.
    std::string padded(pga::collectors::k_max_query_text_bytes - std::min<std::size_t>(size, 8), 'x');
    padded.append(sql);
    check_clean_query_text(padded);
    return 0;
}
