// pg_settings: the server configuration. The first run (and every run after the collector lost its
// state) sends every setting ("full": true); later runs send only the settings added, removed or
// changed since the previous run, with old and new values, plus the ones pending a restart.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/pg/session.hpp"

#include <map>
#include <mutex>

namespace pga::collectors {

// One setting as compared between runs.
struct SettingValue {
    std::string setting;
    std::string unit;
    std::string source;
    bool pending_restart = false;
    bool operator==(const SettingValue&) const = default;
};
using SettingsSnapshot = std::map<std::string, SettingValue>;

// Returns the entries that differ from previous to current: {name, old, new} ("old"/"new" null when
// the setting was absent).
nlohmann::json settings_changes(const SettingsSnapshot& previous, const SettingsSnapshot& current);

class SettingsCollector final : public collect::Collector {
public:
    void collect(const collect::Context& ctx, collect::Output& out) override;
    // Reads the settings through session and appends the pg_settings object; throws pg::Error.
    void read(pg::Session& session, collect::Output& out);

private:
    std::mutex mutex_;
    std::optional<SettingsSnapshot> previous_;
};

} // namespace pga::collectors
