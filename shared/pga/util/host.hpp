// Facts about the host the process runs on.
#pragma once

#include <string>

namespace pga::util {

// Returns the host's name (gethostname), or "localhost" when it cannot be read.
std::string host_name();

} // namespace pga::util
