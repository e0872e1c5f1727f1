// Host facts: see host.hpp.
#include "pga/util/host.hpp"

#include <unistd.h>

namespace pga::util {

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') {
        return "localhost";
    }
    return buf;
}

} // namespace pga::util
