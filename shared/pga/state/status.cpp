// The status file: see status.hpp.
#include "pga/state/status.hpp"

#include "pga/util/files.hpp"
#include "pga/util/process.hpp"
#include "pga/version.hpp"

#include <unistd.h>

namespace pga::state {

namespace {

nlohmann::json pool_json(const pg::PoolStats& p) {
    return {{"acquisitions", p.acquisitions},
            {"reuses", p.reuses},
            {"created", p.created},
            {"failed", p.failed},
            {"closed", p.closed},
            {"active", p.active},
            {"idle", p.idle},
            {"max_size", p.max_size}};
}

nlohmann::json type_json(const TypeStatus& t) {
    auto errors = nlohmann::json::array();
    for (const auto& e : t.errors) {
        nlohmann::json o = {{"error", e.message}};
        if (!e.database.empty()) {
            o["database"] = e.database;
        }
        errors.push_back(std::move(o));
    }
    nlohmann::json o = {{"status", t.status},
                        {"rows", t.rows},
                        {"duration_ms", t.duration_ms},
                        {"last_run_at", t.last_run_at},
                        {"errors", std::move(errors)}};
    o["error"] = t.errors.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.errors.front().message);
    if (!t.reason.empty()) {
        o["reason"] = t.reason;
    }
    return o;
}

} // namespace

void Status::record(const std::vector<collect::RunReport>& reports, const std::string& at) {
    for (const auto& r : reports) {
        collectors[r.type] = TypeStatus{r.status, r.errors, r.reason, r.rows, r.duration_ms, at};
    }
}

std::filesystem::path status_path(const std::filesystem::path& state_dir) {
    return state_dir / "status.json";
}

nlohmann::json to_json(const Status& s) {
    const auto usage = util::process_usage();
    nlohmann::json collectors = nlohmann::json::object();
    for (const auto& [name, t] : s.collectors) {
        collectors[name] = type_json(t);
    }
    return {
        {"version", k_version},
        {"pid", ::getpid()},
        {"started_at", s.started_at},
        {"last_cycle",
         {{"started_at", s.cycle_started_at},
          {"finished_at", s.cycle_finished_at},
          {"duration_ms", s.cycle_duration_ms},
          {"sequence", s.sequence},
          {"batch_id", s.batch_id},
          {"metrics_count", s.metrics_count}}},
        {"cycles", s.cycles},
        {"skipped_ticks", s.skipped_ticks},
        {"collectors", std::move(collectors)},
        {"pool", pool_json(s.pool)},
        {"process",
         {{"rss_bytes", usage.rss_bytes ? nlohmann::json(*usage.rss_bytes) : nlohmann::json(nullptr)},
          {"cpu_user_seconds", usage.cpu_user_s},
          {"cpu_system_seconds", usage.cpu_system_s},
          {"cpu_percent", s.cpu_percent}}},
        {"delivery", s.delivery},
    };
}

void write_status(const std::filesystem::path& state_dir, const Status& status) {
    const auto text = to_json(status).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    util::atomic_write(status_path(state_dir), text, 0644);
}

std::optional<nlohmann::json> read_status(const std::filesystem::path& state_dir, std::string* error) {
    const auto text = util::try_read_file(status_path(state_dir), error);
    if (!text) {
        return std::nullopt;
    }
    auto parsed = nlohmann::json::parse(*text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        if (error != nullptr) {
            *error = status_path(state_dir).string() + ": not a JSON object";
        }
        return std::nullopt;
    }
    return parsed;
}

} // namespace pga::state
