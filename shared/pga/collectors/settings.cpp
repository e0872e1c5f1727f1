// pg_settings: see settings.hpp.
#include "pga/collectors/settings.hpp"

#include "pga/collectors/factories.hpp"

namespace pga::collectors {

namespace {

const char* const k_settings_sql =
    "SELECT s.name, s.setting, COALESCE(s.unit, '') AS unit, s.source, s.pending_restart, s.vartype, s.context"
    " FROM pg_catalog.pg_settings s ORDER BY s.name";

nlohmann::json value_json(const SettingValue& v) {
    return {{"setting", v.setting},
            {"unit", v.unit.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.unit)},
            {"source", v.source},
            {"pending_restart", v.pending_restart}};
}

nlohmann::json full_json(const SettingsSnapshot& s, const pg::Result& r) {
    auto out = nlohmann::json::array();
    for (int i = 0; i < r.rows(); ++i) {
        auto o = value_json(s.at(std::string(r.text(i, 0))));
        o["name"] = r.text(i, 0);
        o["vartype"] = r.text(i, 5);
        o["context"] = r.text(i, 6);
        out.push_back(std::move(o));
    }
    return out;
}

} // namespace

nlohmann::json settings_changes(const SettingsSnapshot& previous, const SettingsSnapshot& current) {
    auto out = nlohmann::json::array();
    for (const auto& [name, value] : current) {
        const auto it = previous.find(name);
        if (it == previous.end() || !(it->second == value)) {
            out.push_back({{"name", name},
                           {"old", it == previous.end() ? nlohmann::json(nullptr) : value_json(it->second)},
                           {"new", value_json(value)}});
        }
    }
    for (const auto& [name, value] : previous) {
        if (current.count(name) == 0) {
            out.push_back({{"name", name}, {"old", value_json(value)}, {"new", nullptr}});
        }
    }
    return out;
}

void SettingsCollector::read(pg::Session& session, collect::Output& out) {
    const auto r = session.query(k_settings_sql);
    SettingsSnapshot now;
    auto pending = nlohmann::json::array();
    for (int i = 0; i < r.rows(); ++i) {
        SettingValue v{r.get(i, 1).value_or(""), std::string(r.text(i, 2)), std::string(r.text(i, 3)),
                       r.get_bool(i, 4).value_or(false)};
        if (v.pending_restart) {
            pending.push_back(r.text(i, 0));
        }
        now.emplace(std::string(r.text(i, 0)), std::move(v));
    }
    std::lock_guard lock(mutex_);
    nlohmann::json o = {{"full", !previous_.has_value()}, {"settings_count", r.rows()}, {"pending_restart", pending}};
    o["settings"] = previous_ ? nlohmann::json::array() : full_json(now, r);
    o["changes"] = previous_ ? settings_changes(*previous_, now) : nlohmann::json::array();
    previous_ = std::move(now);
    out.rows += static_cast<std::uint64_t>(r.rows());
    out.metrics.push_back(std::move(o));
}

void SettingsCollector::collect(const collect::Context& ctx, collect::Output& out) {
    auto conn = ctx.borrow(ctx.config.postgresql.database);
    read(*conn, out);
}

std::unique_ptr<collect::Collector> make_settings() {
    return std::make_unique<SettingsCollector>();
}

} // namespace pga::collectors
