// libFuzzer target: what the collector reads from the backend's answers. The input is split into
// a status, a JSON body (used as a register, refresh and error answer), a JWT payload and a
// Retry-After value. Properties: nothing throws or crashes; a parsed registration or refresh has
// the fields the parser promises; describe_failure gives one valid UTF-8 line without control
// characters, of bounded length, starting with "HTTP <status>"; base64url decoding inverts
// encoding; JWT claims are read without undefined behaviour; a Retry-After wait lies within
// [min, max] and equals the asked seconds when they are plain and in range.
#include "fuzz_check.hpp"
#include "pga/deliver/client.hpp"
#include "pga/deliver/jwt.hpp"
#include "pga/deliver/retry.hpp"
#include "pga/util/strings.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace {

using std::chrono::milliseconds;

std::string base64url_encode(std::string_view bytes) {
    static const char* const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(acc >> bits) & 63];
        }
    }
    if (bits > 0) {
        out += alphabet[(acc << (6 - bits)) & 63];
    }
    return out;
}

bool has_control(std::string_view s) {
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7F) {
            return true;
        }
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    pga::deliver::HttpResponse response;
    response.status = in.ConsumeIntegralInRange<int>(0, 599);
    response.error = in.ConsumeRandomLengthString(256);
    const auto jwt_payload = in.ConsumeRandomLengthString(512);
    const auto retry_after = in.ConsumeRandomLengthString(64);
    response.body = in.ConsumeRemainingBytesAsString();

    if (const auto r = pga::deliver::parse_registration(response)) {
        PGA_FUZZ_CHECK(!r->collector_id.empty() && !r->token.empty());
        (void)pga::deliver::decode_jwt(r->token.reveal());
    }
    if (const auto t = pga::deliver::parse_refresh(response)) {
        PGA_FUZZ_CHECK(!t->token.empty());
        (void)pga::deliver::decode_jwt(t->token.reveal());
    }

    const auto failure = pga::deliver::describe_failure(response);
    PGA_FUZZ_CHECK(!has_control(failure));
    PGA_FUZZ_CHECK(pga::fuzz::strict_utf8(failure));
    if (response.status != 0) {
        const auto head = "HTTP " + std::to_string(response.status);
        PGA_FUZZ_CHECK(failure.compare(0, head.size(), head) == 0);
        // 200 bytes of message, each escaped to at most 4 bytes ("\x01"), after "HTTP nnn: ".
        PGA_FUZZ_CHECK(failure.size() <= head.size() + 2 + 4 * 200);
    }

    const auto encoded = base64url_encode(jwt_payload);
    const auto decoded = pga::deliver::base64url_decode(encoded);
    PGA_FUZZ_CHECK(decoded && *decoded == jwt_payload);
    (void)pga::deliver::decode_jwt("eyJhbGciOiJIUzI1NiJ9." + encoded + ".c2ln");
    (void)pga::deliver::decode_jwt(jwt_payload);

    const auto now = pga::util::SystemClock::time_point(std::chrono::seconds(1'700'000'000));
    const milliseconds min_wait{1000};
    const milliseconds max_wait{3'600'000};
    if (const auto wait = pga::deliver::parse_retry_after(retry_after, now, min_wait, max_wait)) {
        PGA_FUZZ_CHECK(*wait >= min_wait && *wait <= max_wait);
        const std::string trimmed(pga::util::trim(retry_after));
        if (!trimmed.empty() && trimmed.size() <= 9 && trimmed.find_first_not_of("0123456789") == std::string::npos) {
            const milliseconds asked = std::chrono::seconds(std::stoll(trimmed));
            PGA_FUZZ_CHECK(*wait == std::clamp(asked, min_wait, max_wait));
        }
    }
    return 0;
}
