// systemd service notifications (sd_notify): READY, STOPPING and watchdog pings for
// `Type=notify` units. Every call is a no-op when the process was not started by systemd.
#pragma once

#include <chrono>
#include <optional>

namespace pga::cli {

// Tells systemd the loop is up (READY=1).
void notify_ready();
// Tells systemd the loop is shutting down (STOPPING=1).
void notify_stopping();
// Pings the watchdog (WATCHDOG=1) when the unit has WatchdogSec=.
void notify_watchdog();
// Returns half the unit's watchdog period (how often to ping), or nullopt without a watchdog.
std::optional<std::chrono::microseconds> watchdog_ping_interval();

} // namespace pga::cli
