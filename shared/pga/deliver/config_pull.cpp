// Config pull: see config_pull.hpp.
#include "pga/deliver/config_pull.hpp"

#include "pga/collect/registry.hpp"
#include "pga/config/loader.hpp"
#include "pga/util/files.hpp"
#include "pga/util/strings.hpp"

#include <algorithm>
#include <set>
#include <spdlog/spdlog.h>
#include <sstream>
#include <toml++/toml.h>

namespace pga::deliver {

namespace {

const std::set<std::string> k_denied_sections = {"backend", "tls", "exporter"};
const std::set<std::string> k_denied_keys = {
    "collector.state_dir", "collector.id",           "collector.log_file",  "postgresql.host",
    "postgresql.port",     "postgresql.user",        "postgresql.password", "postgresql.password_file",
    "postgresql.sslmode",  "postgres.host",          "postgres.port",       "postgres.user",
    "postgres.password",   "postgres.password_file", "postgres.sslmode"};

// Lays the allowed keys of one pulled section over the local one.
void merge_section(toml::table& local, const std::string& name, const toml::table& pulled,
                   std::vector<std::string>& ignored) {
    if (!local.contains(name) || !local[name].is_table()) {
        local.insert_or_assign(name, toml::table{});
    }
    auto& target = *local[name].as_table();
    for (auto&& [key, value] : pulled) {
        const std::string qualified = name + "." + std::string(key.str());
        if (k_denied_keys.count(qualified) > 0) {
            ignored.push_back(qualified);
            continue;
        }
        target.insert_or_assign(key, value);
    }
}

} // namespace

MergeResult merge_pulled_config(const std::string& local_text, const std::string& pulled_text) {
    MergeResult out;
    toml::table local;
    toml::table pulled;
    try {
        local = toml::parse(local_text, std::string_view("local"));
        pulled = toml::parse(pulled_text, std::string_view("pulled"));
    } catch (const toml::parse_error& e) {
        out.error = std::string(e.description());
        return out;
    }
    for (auto&& [key, value] : pulled) {
        const std::string name(key.str());
        if (k_denied_sections.count(name) > 0 || !value.is_table()) {
            out.ignored.push_back(name);
            continue;
        }
        merge_section(local, name, *value.as_table(), out.ignored);
    }
    std::ostringstream text;
    text << local;
    out.text = text.str();
    return out;
}

ConfigPuller::ConfigPuller(const config::Config& base, BackendClient& client, Auth& auth, Timing timing, Clocks clocks,
                           ConfigApply apply)
    : base_(base), client_(client), auth_(auth), timing_(timing), clocks_(std::move(clocks)), apply_(std::move(apply)),
      due_(clocks_.steady() + std::chrono::seconds(base.collector.config_pull_interval_s)),
      unavailable_wait_(timing.config_unavailable) {}

util::SteadyClock::time_point ConfigPuller::poll() {
    if (clocks_.steady() >= due_) {
        due_ = clocks_.steady() + std::chrono::seconds(base_.collector.config_pull_interval_s);
        pull();
    }
    return due_;
}

void ConfigPuller::pull() {
    const auto token = auth_.token();
    if (!token) {
        return;
    }
    const auto resp = client_.pull_config(*token, auth_.collector_id());
    if (resp.status == 401 || resp.status == 403 || resp.status == 404) {
        if (!said_unavailable_) {
            spdlog::info("config pull is not available here ({}); the local configuration stays in effect",
                         describe_failure(resp));
            said_unavailable_ = true;
        }
        due_ = clocks_.steady() + unavailable_wait_;
        unavailable_wait_ = std::min(unavailable_wait_ * 2, timing_.config_unavailable_max);
        return;
    }
    if (!resp.ok()) {
        spdlog::debug("config pull failed: {}", describe_failure(resp));
        return;
    }
    unavailable_wait_ = timing_.config_unavailable;
    said_unavailable_ = false;
    const auto version = resp.header("x-config-version");
    if (version.empty() || version != last_version_) {
        handle(resp.body, version);
    }
}

void ConfigPuller::handle(const std::string& toml, const std::string& version) {
    last_version_ = version;
    std::string local;
    if (!base_.source_path.empty()) {
        local = util::try_read_file(base_.source_path, nullptr).value_or("");
    }
    const auto merged = merge_pulled_config(local, toml);
    for (const auto& key : merged.ignored) {
        spdlog::warn("pulled configuration sets {}, which only the local file may set; ignored",
                     util::escape_control(key));
    }
    const std::string name = "pulled configuration (version " + util::escape_control(version) + ")";
    if (!merged.error.empty()) {
        spdlog::error("{} is not valid TOML: {}; keeping the current configuration", name,
                      util::escape_control(merged.error));
        return;
    }
    auto result = config::load_text(merged.text, name, collect::metric_defaults());
    if (!result.ok()) {
        for (const auto& d : result.diagnostics) {
            spdlog::error("{}", d.format());
        }
        spdlog::error("{} rejected; keeping the current configuration", name);
        return;
    }
    result.config.source_path = base_.source_path;
    spdlog::info("applying {}", name);
    apply_(std::move(result.config), version);
}

} // namespace pga::deliver
