// The deployment guide's rollback decision tree as code: see evaluate.hpp (decide).
#include "pga/cli/healthcheck/evaluate.hpp"

namespace pga::cli::healthcheck {

namespace {

const Finding* find(const Evaluation& e, const std::string& name) {
    for (const auto& f : e.findings) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

// Returns how long (seconds) the history shows cycles above the rollback threshold without a break.
std::int64_t slow_for_s(const Inputs& in, const Thresholds& t) {
    std::int64_t since = 0;
    for (auto it = in.history.rbegin(); it != in.history.rend(); ++it) {
        if (static_cast<double>(it->cycle_ms) <= t.cycle_ms_crit) {
            break;
        }
        since = it->unix_s;
    }
    return since == 0 ? 0 : in.now_unix_s - since;
}

} // namespace

Decision decide(const Evaluation& e, const Inputs& in, const Thresholds& t) {
    if (!in.running) {
        return {true, "collector won't start", "no process holds the lock: restore the previous binary"};
    }
    if (const auto* f = find(e, "cycle_duration"); f != nullptr && f->state == k_critical) {
        const auto slow = slow_for_s(in, t);
        if (slow >= 3600) {
            return {true, "cycle time too high",
                    f->message + ", above 20s for " + std::to_string(slow / 60) + " minutes (more than 1 hour)"};
        }
        return {false, "cycle time too high",
                f->message + ": check PostgreSQL performance first; roll back if still high after 1 hour"};
    }
    if (const auto* f = find(e, "rss_growth"); f != nullptr) {
        return {true, "memory leak",
                f->message + ": if reducing query_stats_limit, pool_max_size and "
                             "thread_pool_size did not stop it, roll back"};
    }
    if (const auto* f = find(e, "push_age"); f != nullptr && f->state == k_critical) {
        return {true, "metrics not appearing",
                f->message + ": backend connectivity or authentication still failing (check with "
                             "pga-validate --only backend)"};
    }
    if (const auto* f = find(e, "auth"); f != nullptr && f->state == k_critical) {
        return {false, "metrics not appearing",
                f->message + ": verify authentication (pga-validate --only backend); roll back if it continues"};
    }
    if (e.state == k_ok) {
        return {false, "deployment working", "metrics flowing, no errors: monitor for 24-48 hours"};
    }
    return {false, "deployment working with warnings", "no rollback branch applies; watch the warnings"};
}

} // namespace pga::cli::healthcheck
