// The requests the collection loop obeys: stop (SIGTERM, SIGINT) and reload (SIGHUP), set by the
// signal watcher or directly by tests, with a wake-up so the loop's waits end at once.
#pragma once

#include "pga/config/config.hpp"
#include "pga/util/time.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace pga::cli {

class LoopControl {
public:
    // Asks the loop to stop; wakes it.
    void request_stop();
    // Asks the loop to reload its configuration and reopen its log; wakes it.
    void request_reload();
    // Hands over a validated configuration (pulled from the backend) to apply before the next
    // cycle; thread-safe. A later offer replaces an earlier one not yet taken.
    void offer_config(std::shared_ptr<const config::Config> config);
    // Returns the offered configuration (once), or nullptr.
    std::shared_ptr<const config::Config> take_config();
    // Returns true (once) when a reload was requested since the last call.
    bool take_reload() { return reload_.exchange(false); }
    bool stop_requested() const { return stop_.load(); }
    // The stop flag, for runs that poll it.
    const std::atomic<bool>& stop_flag() const { return stop_; }
    // Waits until deadline or until a stop or reload request arrives.
    void wait_until(util::SteadyClock::time_point deadline);

private:
    std::atomic<bool> stop_{false};
    std::atomic<bool> reload_{false};
    std::shared_ptr<const config::Config> offered_;
    std::mutex mutex_;
    std::condition_variable wake_;
};

// Turns SIGTERM, SIGINT and SIGHUP into LoopControl requests. The signals are blocked in the
// constructing thread (and so in every thread it starts later: construct this first) and taken by
// sigtimedwait on a thread of its own, so no code runs in signal-handler context.
class SignalWatcher {
public:
    explicit SignalWatcher(LoopControl& control);
    // Stops the watcher thread. The signals stay blocked, so one arriving during the exit is
    // ignored instead of killing the process.
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pga::cli
