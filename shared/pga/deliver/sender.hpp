// The sender: drains the spool to the backend under the retry policy. After an outage (and at
// start) the newest entry goes first, then the backlog oldest to newest, each request paced so the
// backend's 1000 requests/minute limit is never reached. 2xx removes the entry; retryable
// failures back off (full jitter, Retry-After honoured); 400/422 and a second 413 set the entry
// aside (counted); a first 413 splits it; 401/403 go to Auth for a new token, else sending
// pauses. Single-threaded: the delivery thread calls drain(); status() is thread-safe.
#pragma once

#include "pga/deliver/auth.hpp"
#include "pga/deliver/client.hpp"
#include "pga/deliver/retry.hpp"
#include "pga/deliver/spool.hpp"
#include "pga/deliver/timing.hpp"

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace pga::deliver {

// Waits until the given time; returns false when the sender must stop instead.
using Waiter = std::function<bool(util::SteadyClock::time_point)>;

struct SenderOptions {
    std::string hostname;
    bool gzip = false;
};

class Sender {
public:
    Sender(Spool& spool, BackendClient& client, Auth& auth, SenderOptions options, Timing timing, Clocks clocks,
           Waiter wait);

    // Sends spooled entries until the spool is empty, a failure asks to wait, or the waiter says
    // stop. Returns when to drain again, or nullopt when only new data needs a drain.
    std::optional<util::SteadyClock::time_point> drain();
    // Returns {last_success, consecutive_failures, last_error, retry_in_ms, requests{...}}.
    nlohmann::json status() const;

private:
    enum class Next { go_on, resend, stop };
    Next send(const SpoolEntry& entry);
    Next on_retry(const SpoolEntry& entry, const HttpResponse& resp);
    Next on_too_large(const SpoolEntry& entry, const HttpResponse& resp);
    Next on_auth(const SpoolEntry& entry, const HttpResponse& resp, bool resent);
    void on_success(const SpoolEntry& entry);
    void count(const std::string& result);
    bool pace();

    Spool& spool_;
    BackendClient& client_;
    Auth& auth_;
    SenderOptions options_;
    Timing timing_;
    Clocks clocks_;
    Waiter wait_;
    Backoff backoff_;
    bool newest_first_ = true;
    bool resent_ = false;
    std::optional<util::SteadyClock::time_point> retry_at_;
    util::SteadyClock::time_point last_request_{};

    mutable std::mutex mutex_; // guards the fields below (read by status())
    std::optional<util::SystemClock::time_point> last_success_;
    int consecutive_failures_ = 0;
    std::string last_error_;
    std::map<std::string, std::int64_t> requests_;
};

} // namespace pga::deliver
