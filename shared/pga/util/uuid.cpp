// UUIDv4 generation: see uuid.hpp.
#include "pga/util/uuid.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace pga::util {

std::string uuid_v4() {
    std::array<unsigned char, 16> b{};
    std::ifstream in("/dev/urandom", std::ios::binary);
    if (!in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(b.size()))) {
        throw std::runtime_error("cannot read /dev/urandom for a batch id");
    }
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40); // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80); // RFC 4122 variant
    std::string out;
    static constexpr char k_hex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out += '-';
        }
        out += k_hex[b[i] >> 4];
        out += k_hex[b[i] & 0x0F];
    }
    return out;
}

} // namespace pga::util
