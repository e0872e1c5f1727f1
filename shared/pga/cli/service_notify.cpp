// systemd notifications: see service_notify.hpp.
#include "pga/cli/service_notify.hpp"

#include <cstdint>
#include <systemd/sd-daemon.h>

namespace pga::cli {

void notify_ready() {
    ::sd_notify(0, "READY=1");
}

void notify_stopping() {
    ::sd_notify(0, "STOPPING=1");
}

void notify_watchdog() {
    ::sd_notify(0, "WATCHDOG=1");
}

std::optional<std::chrono::microseconds> watchdog_ping_interval() {
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) {
        return std::nullopt;
    }
    return std::chrono::microseconds(static_cast<std::int64_t>(usec / 2));
}

} // namespace pga::cli
