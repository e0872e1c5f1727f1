// Config pull: GET /api/v1/config/<collector_id> every config_pull_interval. A pulled TOML is laid
// over the local file (keys that could redirect data or credentials are ignored: [backend],
// [tls], [exporter], collector.state_dir/id/log_file and postgresql.host/port/user/password/
// password_file/sslmode), validated as a whole with config::load_text and handed to the apply
// callback only when valid, so it is applied like SIGHUP or not at all. 401/403/404 mean "not
// available here": logged once, then asked again only after a long, growing back-off.
#pragma once

#include "pga/config/config.hpp"
#include "pga/deliver/auth.hpp"
#include "pga/deliver/client.hpp"
#include "pga/deliver/timing.hpp"

#include <functional>
#include <string>
#include <vector>

namespace pga::deliver {

// Receives a validated configuration and its X-Config-Version. Called on the delivery thread:
// hand it to the loop (under a lock) and apply it at the next tick, like SIGHUP.
using ConfigApply = std::function<void(config::Config config, std::string version)>;

struct MergeResult {
    std::string text;                 // the merged TOML, empty on a parse error
    std::vector<std::string> ignored; // pulled keys left out ("backend.url")
    std::string error;                // parse error of the pulled text
};

// Returns the local TOML with the pulled TOML's allowed keys laid over it.
MergeResult merge_pulled_config(const std::string& local_text, const std::string& pulled_text);

class ConfigPuller {
public:
    ConfigPuller(const config::Config& base, BackendClient& client, Auth& auth, Timing timing, Clocks clocks,
                 ConfigApply apply);
    // Pulls when due (never more than once per call); returns when the next pull is due.
    util::SteadyClock::time_point poll();

private:
    void pull();
    void handle(const std::string& toml, const std::string& version);

    config::Config base_;
    BackendClient& client_;
    Auth& auth_;
    Timing timing_;
    Clocks clocks_;
    ConfigApply apply_;
    util::SteadyClock::time_point due_;
    std::chrono::milliseconds unavailable_wait_;
    bool said_unavailable_ = false;
    std::string last_version_;
};

} // namespace pga::deliver
