// JWT claims: see jwt.hpp.
#include "pga/deliver/jwt.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace pga::deliver {

namespace {

int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-' || c == '+') {
        return 62;
    }
    if (c == '_' || c == '/') {
        return 63;
    }
    return -1;
}

std::optional<std::int64_t> integer_claim(const nlohmann::json& claims, const char* name) {
    const auto it = claims.find(name);
    if (it == claims.end() || !it->is_number()) {
        return std::nullopt;
    }
    // A value outside int64 (1e42, 2^64 - 1, NaN) is no usable time: converting it would be
    // undefined (float) or wrap to a negative time (unsigned).
    if (it->is_number_float()) {
        const double v = it->get<double>();
        constexpr double k_limit = 9223372036854775808.0; // 2^63
        if (!(v >= -k_limit && v < k_limit)) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(v);
    }
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        return std::nullopt;
    }
    return it->get<std::int64_t>();
}

} // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
    while (!text.empty() && text.back() == '=') {
        text.remove_suffix(1);
    }
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        const int v = sextet(c);
        if (v < 0) {
            return std::nullopt;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    return out;
}

std::optional<JwtClaims> decode_jwt(std::string_view token) {
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    const auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
    if (!payload) {
        return std::nullopt;
    }
    const auto claims = nlohmann::json::parse(*payload, nullptr, false);
    if (!claims.is_object()) {
        return std::nullopt;
    }
    JwtClaims out;
    if (const auto it = claims.find("collector_id"); it != claims.end() && it->is_string()) {
        out.collector_id = it->get<std::string>();
    }
    out.exp = integer_claim(claims, "exp");
    out.iat = integer_claim(claims, "iat");
    return out;
}

} // namespace pga::deliver
