// Reading the claims of the backend's collector JWT (HS256). The collector cannot and need not
// verify the signature; it reads `exp` to refresh in time and `collector_id` for the envelope.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pga::deliver {

struct JwtClaims {
    std::string collector_id;        // "" when absent
    std::optional<std::int64_t> exp; // seconds since the epoch
    std::optional<std::int64_t> iat;
};

// Returns the claims of a three-part JWT, or nullopt when token is not one (an opaque static
// token). Never throws.
std::optional<JwtClaims> decode_jwt(std::string_view token);

// Returns the base64url (unpadded or padded) decoding of text, or nullopt when malformed.
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace pga::deliver
