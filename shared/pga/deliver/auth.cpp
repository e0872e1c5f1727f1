// Credentials and their lifecycle: see auth.hpp.
#include "pga/deliver/auth.hpp"

#include "pga/util/strings.hpp"
#include "pga/version.hpp"

#include <spdlog/spdlog.h>

namespace pga::deliver {

namespace {

using util::SystemClock;

constexpr std::int64_t k_assumed_life_s = 1800; // the backend's token life, when iat is missing

SystemClock::time_point from_unix(std::int64_t s) {
    return SystemClock::time_point(std::chrono::seconds(s));
}

} // namespace

Auth::Auth(const config::Config& config, BackendClient& client, Timing timing, Clocks clocks)
    : config_(config), client_(client), timing_(timing), clocks_(std::move(clocks)),
      store_(config.collector.state_dir) {
    load();
}

void Auth::load() {
    if (!config_.backend.token.empty()) {
        mode_ = Mode::static_token;
        adopt(config_.backend.token);
        publish("ok");
        return;
    }
    try {
        if (auto id = store_.load(); id && !id->token.empty()) {
            mode_ = Mode::registered;
            stored_id_ = id->collector_id;
            adopt(id->token);
            publish("ok");
            return;
        }
    } catch (const std::exception& e) {
        spdlog::error("cannot read the stored identity: {}", e.what());
    }
    mode_ = Mode::none;
    publish("no_credentials");
}

void Auth::adopt(const util::Secret& token) {
    token_ = token;
    claims_ = decode_jwt(token.reveal());
    refresh_at_.reset();
    if (mode_ == Mode::registered && claims_ && claims_->exp) {
        const std::int64_t life = claims_->iat ? *claims_->exp - *claims_->iat : k_assumed_life_s;
        const auto lead = std::chrono::milliseconds(
            static_cast<std::int64_t>(static_cast<double>(life) * 1000.0 * timing_.refresh_share));
        refresh_at_ = from_unix(*claims_->exp) - lead;
    }
    const auto id = claims_ ? claims_->collector_id : std::string();
    if (!id.empty() && !config_.collector.id.empty() && id != config_.collector.id && !warned_id_mismatch_) {
        warned_id_mismatch_ = true;
        spdlog::warn("[collector] id {} differs from the token's collector_id {}; sending as {} (the backend "
                     "requires the token's)",
                     util::escape_control(config_.collector.id), id, id);
    }
}

bool Auth::expired() const {
    return mode_ == Mode::registered && claims_ && claims_->exp && clocks_.wall() >= from_unix(*claims_->exp);
}

std::string Auth::collector_id() const {
    if (claims_ && !claims_->collector_id.empty()) {
        return claims_->collector_id;
    }
    return config_.collector.id.empty() ? stored_id_ : config_.collector.id;
}

std::optional<util::Secret> Auth::token() {
    if (paused()) {
        return std::nullopt;
    }
    if (paused_ && mode_ != Mode::static_token) {
        load(); // the operator may have run `pganalytics register` meanwhile
    }
    if (mode_ == Mode::none || expired()) {
        const auto why = mode_ == Mode::none ? "no identity is stored" : "the token expired";
        const auto r = reregister(why);
        if (r == Recovery::failed) {
            pause(std::string(why) + (config_.backend.registration_secret.empty()
                                          ? " and no registration secret is configured; run `pganalytics "
                                            "register`"
                                          : " and registration failed"));
        }
        if (r != Recovery::recovered) {
            return std::nullopt; // retry_later: the backend is unreachable, the sender backs off
        }
    } else if (refresh_at_ && clocks_.wall() >= *refresh_at_) {
        refresh();
    }
    if (collector_id().empty()) {
        pause("the collector id is unknown (the token is not a JWT and none is stored): set [collector] id");
        return std::nullopt;
    }
    return token_;
}

Recovery Auth::refresh() {
    const auto resp = client_.refresh(token_);
    const auto fresh = resp.ok() ? parse_refresh(resp) : std::nullopt;
    if (fresh) {
        try {
            store_.save_token(fresh->token);
        } catch (const std::exception& e) {
            spdlog::error("token refreshed but not saved: {}", e.what());
        }
        adopt(fresh->token);
        spdlog::info("collector token refreshed (collector_id {})", collector_id());
        publish("ok");
        return Recovery::recovered;
    }
    spdlog::warn("token refresh failed: {}", describe_failure(resp));
    refresh_at_ = clocks_.wall() + timing_.refresh_retry;
    return resp.status == 401 || resp.status == 403 ? Recovery::failed : Recovery::retry_later;
}

Recovery Auth::reregister(const std::string& why) {
    if (config_.backend.registration_secret.empty()) {
        return Recovery::failed;
    }
    const auto now = clocks_.steady();
    if (last_reregister_ && now - *last_reregister_ < timing_.reregister_min_gap) {
        return Recovery::failed;
    }
    last_reregister_ = now;
    const RegisterRequest request{config_.collector.id.empty() ? config_.collector.hostname : config_.collector.id,
                                  config_.collector.hostname, k_version};
    const auto resp = client_.register_collector(config_.backend.registration_secret, request);
    const auto reg = resp.ok() ? parse_registration(resp) : std::nullopt;
    if (!reg) {
        spdlog::error("re-registration failed: {}", describe_failure(resp));
        if (resp.status == 0 || resp.status >= 500) {
            last_reregister_.reset();
            return Recovery::retry_later;
        }
        return Recovery::failed;
    }
    try {
        store_.save(*reg, client_.base_url());
    } catch (const std::exception& e) {
        spdlog::error("re-registered but the identity was not saved: {}", e.what());
    }
    mode_ = Mode::registered;
    stored_id_ = reg->collector_id;
    adopt(reg->token);
    spdlog::warn("registered with the backend because {}: new collector_id {}", why,
                 util::escape_control(reg->collector_id));
    paused_ = false;
    publish("ok");
    return Recovery::recovered;
}

Recovery Auth::recover(int status) {
    if (mode_ == Mode::static_token) {
        return Recovery::failed;
    }
    if (mode_ == Mode::registered && !expired()) {
        const auto r = refresh();
        if (r != Recovery::failed) {
            return r;
        }
    }
    return reregister("the backend rejected the token (HTTP " + std::to_string(status) + ")");
}

void Auth::pause(const std::string& why) {
    if (!paused_) {
        spdlog::critical("backend authentication failed: {}; sending paused, batches stay in the spool", why);
    }
    paused_ = true;
    probe_at_ = clocks_.steady() + timing_.auth_probe;
    std::lock_guard lock(status_mutex_);
    status_["state"] = "failed";
    status_["critical"] = true;
    status_["message"] = why;
}

void Auth::on_success() {
    if (paused_) {
        spdlog::info("backend authentication works again; sending resumed");
    }
    paused_ = false;
    if (status_.value("state", "") != "ok") {
        publish("ok");
    }
}

bool Auth::paused() const {
    return paused_ && clocks_.steady() < probe_at_;
}

void Auth::publish(const std::string& state) {
    nlohmann::json s = {{"state", state},
                        {"critical", state != "ok"},
                        {"mode", mode_ == Mode::static_token ? "static_token"
                                 : mode_ == Mode::registered ? "registered"
                                                             : "none"},
                        {"collector_id", collector_id()}};
    s["token_expires_at"] =
        claims_ && claims_->exp ? nlohmann::json(util::rfc3339_utc(from_unix(*claims_->exp))) : nlohmann::json();
    if (state == "no_credentials") {
        s["message"] = "no token and no stored identity";
    }
    std::lock_guard lock(status_mutex_);
    status_ = std::move(s);
}

nlohmann::json Auth::status() const {
    std::lock_guard lock(status_mutex_);
    return status_;
}

} // namespace pga::deliver
