// Helpers for configuration tests: a fixed metric table, a fake environment and temp files.
#pragma once

#include "pga/config/loader.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace pga::test {

inline std::vector<config::MetricDefaults> test_metrics() {
    // Every type with tuning keys is here, so the table-driven tests cover those keys too.
    return {{"pg_query_stats", "statements", 60, 30, true},
            {"pg_stats", "tables", 60, 30, true},
            {"sysstat", "host", 60, 10, true},
            {"disk_usage", "disks", 300, 10, true},
            {"pg_connections", "sessions", 60, 30, true},
            {"pg_log", "server log", 60, 30, true},
            {"pg_bloat", "bloat", 3600, 120, true},
            {"pg_cache", "hit ratios", 300, 30, true},
            {"pg_schema", "inventory", 3600, 60, true}};
}

inline config::EnvLookup fake_env(std::map<std::string, std::string> vars = {}) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

inline config::LoadResult load(const std::string& toml, std::map<std::string, std::string> env = {}) {
    return config::load_text(toml, "test.toml", test_metrics(), fake_env(std::move(env)));
}

// A temporary directory removed at scope exit.
class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/pga-test-XXXXXX";
        path_ = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }
    std::string write(const std::string& name, const std::string& content, mode_t mode = 0600) const {
        const auto p = path_ / name;
        std::ofstream(p) << content;
        ::chmod(p.c_str(), mode);
        return p.string();
    }

private:
    std::filesystem::path path_;
};

// Returns the messages of all diagnostics joined by newlines (for readable assertions).
inline std::string messages(const config::LoadResult& r) {
    std::string out;
    for (const auto& d : r.diagnostics) {
        out += d.format() + "\n";
    }
    return out;
}

} // namespace pga::test
