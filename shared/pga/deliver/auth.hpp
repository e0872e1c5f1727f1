// The collector's credentials and their lifecycle: a static token ([backend] token, token_file,
// PGANALYTICS_TOKEN) used as-is, or the identity stored by `pganalytics register`, whose JWT is
// refreshed well before `exp` (each new token persisted atomically) and, once expired or
// rejected, replaced by a new registration when a registration secret is available (rate
// limited, never a loop). Without usable credentials, sending pauses (one probe per interval),
// the state is critical and the spool keeps filling. Used by the sender thread only; status()
// may be called from any thread.
#pragma once

#include "pga/config/config.hpp"
#include "pga/deliver/client.hpp"
#include "pga/deliver/jwt.hpp"
#include "pga/deliver/timing.hpp"

#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace pga::deliver {

enum class Recovery { recovered, retry_later, failed };

class Auth {
public:
    // Loads the static token or the stored identity; never throws (problems become the state).
    Auth(const config::Config& config, BackendClient& client, Timing timing, Clocks clocks);

    // Returns the token to send with, refreshing or re-registering first when due; nullopt while
    // sending is paused for want of credentials (paused() is then true) or when a needed
    // registration could not reach the backend (paused() false: back off and try again).
    std::optional<util::Secret> token();
    // Returns the collector id: the token's claim, else [collector] id, else the stored one.
    std::string collector_id() const;
    // After a 401/403 with the current token: refresh, else re-register where allowed.
    Recovery recover(int status);
    // Pauses sending: logs `why` as critical (once per pause) and allows one probe per interval.
    void pause(const std::string& why);
    // Records an accepted request: clears a pause and the critical state.
    void on_success();
    // Returns true while paused and the next probe is not due yet.
    bool paused() const;
    // Returns when the next probe is due (meaningful while paused).
    util::SteadyClock::time_point probe_at() const { return probe_at_; }
    // Returns {state, critical, message, collector_id, token_expires_at, static_token, ...}.
    nlohmann::json status() const;

private:
    enum class Mode { none, static_token, registered };
    void load();
    void adopt(const util::Secret& token);
    bool expired() const;
    Recovery refresh();
    Recovery reregister(const std::string& why);
    void publish(const std::string& state);

    const config::Config config_;
    BackendClient& client_;
    Timing timing_;
    Clocks clocks_;
    IdentityStore store_;
    Mode mode_ = Mode::none;
    util::Secret token_;
    std::optional<JwtClaims> claims_;
    std::string stored_id_;
    std::optional<util::SystemClock::time_point> refresh_at_;
    bool paused_ = false;
    util::SteadyClock::time_point probe_at_{};
    std::optional<util::SteadyClock::time_point> last_reregister_;
    bool warned_id_mismatch_ = false;
    mutable std::mutex status_mutex_;
    nlohmann::json status_;
};

} // namespace pga::deliver
