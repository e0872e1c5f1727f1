// Shared helpers of the libFuzzer targets: a check that aborts with one line naming the target and
// the broken property (libFuzzer then saves the input as a crash file), and a strict UTF-8
// validator written independently of pga::util so the two can be compared.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace pga::fuzz {

// Aborts with "fuzz check failed: <what> (<file>:<line>)" when ok is false.
inline void check(bool ok, const char* what, const char* file, int line) {
    if (!ok) {
        std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", what, file, line);
        std::abort();
    }
}

// Returns true when s is well-formed UTF-8 (Unicode 15, table 3-7): no overlong forms, no
// surrogates, nothing above U+10FFFF, no truncated sequence.
inline bool strict_utf8(std::string_view s) {
    std::size_t i = 0;
    const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    while (i < s.size()) {
        const unsigned char c = at(i);
        std::size_t n = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (c <= 0x7F) {
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c == 0xE0) {
            n = 2, lo = 0xA0;
        } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
            n = 2;
        } else if (c == 0xED) {
            n = 2, hi = 0x9F;
        } else if (c == 0xF0) {
            n = 3, lo = 0x90;
        } else if (c >= 0xF1 && c <= 0xF3) {
            n = 3;
        } else if (c == 0xF4) {
            n = 3, hi = 0x8F;
        } else {
            return false;
        }
        if (i + n >= s.size()) {
            return false;
        }
        if (at(i + 1) < lo || at(i + 1) > hi) {
            return false;
        }
        for (std::size_t k = 2; k <= n; ++k) {
            if (at(i + k) < 0x80 || at(i + k) > 0xBF) {
                return false;
            }
        }
        i += n + 1;
    }
    return true;
}

} // namespace pga::fuzz

#define PGA_FUZZ_CHECK(cond) ::pga::fuzz::check((cond), #cond, __FILE__, __LINE__)
