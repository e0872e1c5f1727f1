// Random (version 4) UUIDs from /dev/urandom, used as batch ids.
#pragma once

#include <string>

namespace pga::util {

// Returns a new UUIDv4 in lower-case 8-4-4-4-12 form; throws std::runtime_error when
// /dev/urandom cannot be read.
std::string uuid_v4();

} // namespace pga::util
