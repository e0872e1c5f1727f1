// The sender: see sender.hpp.
#include "pga/deliver/sender.hpp"

#include "pga/deliver/envelope.hpp"
#include "pga/deliver/split.hpp"
#include "pga/version.hpp"

#include <spdlog/spdlog.h>

namespace pga::deliver {

Sender::Sender(Spool& spool, BackendClient& client, Auth& auth, SenderOptions options, Timing timing, Clocks clocks,
               Waiter wait)
    : spool_(spool), client_(client), auth_(auth), options_(std::move(options)), timing_(timing),
      clocks_(std::move(clocks)), wait_(std::move(wait)), backoff_(timing.backoff_base, timing.backoff_cap) {
    for (const char* r : {"success", "retry", "reject", "too_large", "auth", "transport_error"}) {
        requests_[r] = 0;
    }
}

bool Sender::pace() {
    return wait_(last_request_ + timing_.pace);
}

std::optional<util::SteadyClock::time_point> Sender::drain() {
    spool_.expire();
    if (retry_at_ && clocks_.steady() < *retry_at_) {
        return retry_at_;
    }
    retry_at_.reset();
    for (;;) {
        if (auth_.paused()) {
            return auth_.probe_at();
        }
        auto entry = newest_first_ ? spool_.newest() : spool_.oldest();
        if (!entry) {
            newest_first_ = false;
            return std::nullopt;
        }
        Next next = Next::resend;
        resent_ = false;
        while (next == Next::resend) {
            if (!pace()) {
                return std::nullopt;
            }
            next = send(*entry);
            resent_ = true;
        }
        if (next == Next::stop) {
            return retry_at_ ? retry_at_ : std::optional(auth_.probe_at());
        }
    }
}

Sender::Next Sender::send(const SpoolEntry& entry) {
    const auto token = auth_.token();
    if (!token) {
        if (!auth_.paused()) {
            retry_at_ = clocks_.steady() + backoff_.next();
        }
        return Next::stop;
    }
    const EnvelopeHeader header{auth_.collector_id(), options_.hostname, k_version};
    spdlog::info("Pushing {} metrics to backend...", entry.metrics_count);
    last_request_ = clocks_.steady();
    const auto resp = client_.push(*token, build_envelope(header, entry), options_.gzip);
    last_request_ = clocks_.steady();
    switch (classify(resp.status)) {
    case Verdict::success: on_success(entry); return Next::go_on;
    case Verdict::retry: return on_retry(entry, resp);
    case Verdict::too_large: return on_too_large(entry, resp);
    case Verdict::auth: return on_auth(entry, resp, resent_);
    case Verdict::reject: break;
    }
    spdlog::error("backend rejected batch {} ({}); set aside without retry", entry.batch_id, describe_failure(resp));
    spool_.set_aside(entry.id, DropReason::rejected, describe_failure(resp));
    count("reject");
    return Next::go_on;
}

void Sender::on_success(const SpoolEntry& entry) {
    spool_.accepted(entry.id);
    spdlog::info("Metrics pushed successfully");
    spdlog::debug("batch {} (sequence {}) accepted", entry.batch_id, entry.sequence);
    auth_.on_success();
    int failures = 0;
    {
        std::lock_guard lock(mutex_);
        failures = consecutive_failures_;
        consecutive_failures_ = 0;
        last_success_ = clocks_.wall();
        last_error_.clear();
    }
    if (failures > 0) {
        spdlog::info("backend reachable again after {} failed attempts; {} batches spooled", failures,
                     spool_.stats().batches);
    }
    backoff_.reset();
    if (newest_first_) {
        newest_first_ = false;
    }
    count("success");
}

Sender::Next Sender::on_retry(const SpoolEntry& entry, const HttpResponse& resp) {
    auto wait = backoff_.next();
    if (const auto header = resp.header("retry-after"); !header.empty()) {
        if (auto asked = parse_retry_after(header, clocks_.wall(), timing_.retry_after_min, timing_.retry_after_max)) {
            wait = *asked;
        }
    }
    retry_at_ = clocks_.steady() + wait;
    newest_first_ = true;
    const auto why = describe_failure(resp);
    {
        std::lock_guard lock(mutex_);
        ++consecutive_failures_;
        last_error_ = why;
    }
    count(resp.status == 0 ? "transport_error" : "retry");
    if (resp.status >= 300 && resp.status < 400) {
        spdlog::error("backend answered a redirect (HTTP {}); redirects are never followed: fix [backend] url",
                      resp.status);
    }
    spdlog::warn("push of batch {} failed: {}; retrying in {} ms", entry.batch_id, why, wait.count());
    return Next::stop;
}

Sender::Next Sender::on_too_large(const SpoolEntry& entry, const HttpResponse& resp) {
    count("too_large");
    auto parts = halve(entry);
    if (parts.empty()) {
        spdlog::error("backend refused batch {} as too large ({}) and it cannot be split further; set aside",
                      entry.batch_id, describe_failure(resp));
        spool_.set_aside(entry.id, DropReason::too_large, describe_failure(resp));
        return Next::go_on;
    }
    spdlog::warn("backend refused batch {} as too large; split in {} parts", entry.batch_id, parts.size());
    spool_.replace(entry.id, parts);
    newest_first_ = false;
    return Next::go_on;
}

Sender::Next Sender::on_auth(const SpoolEntry& entry, const HttpResponse& resp, bool resent) {
    count("auth");
    const auto why = describe_failure(resp);
    {
        std::lock_guard lock(mutex_);
        ++consecutive_failures_;
        last_error_ = why;
    }
    spdlog::warn("backend refused the credentials for batch {}: {}", entry.batch_id, why);
    const auto recovery = resent ? Recovery::failed : auth_.recover(resp.status);
    if (recovery == Recovery::recovered) {
        return Next::resend;
    }
    if (recovery == Recovery::retry_later) {
        retry_at_ = clocks_.steady() + backoff_.next();
        return Next::stop;
    }
    auth_.pause("the backend refused the credentials (" + why + ")");
    return Next::stop;
}

void Sender::count(const std::string& result) {
    std::lock_guard lock(mutex_);
    ++requests_[result];
}

nlohmann::json Sender::status() const {
    std::lock_guard lock(mutex_);
    nlohmann::json s = {{"consecutive_failures", consecutive_failures_}, {"requests", requests_}};
    s["last_success"] = last_success_ ? nlohmann::json(util::rfc3339_utc(*last_success_)) : nlohmann::json();
    s["last_success_unix"] =
        last_success_ ? nlohmann::json(
                            std::chrono::duration_cast<std::chrono::seconds>(last_success_->time_since_epoch()).count())
                      : nlohmann::json();
    s["last_error"] = last_error_.empty() ? nlohmann::json() : nlohmann::json(last_error_);
    return s;
}

} // namespace pga::deliver
