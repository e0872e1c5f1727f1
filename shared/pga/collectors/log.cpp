// pg_log: see log.hpp.
#include "pga/collectors/log.hpp"

#include "pga/collectors/disk_usage.hpp"
#include "pga/collectors/factories.hpp"
#include "pga/collectors/log_parse.hpp"
#include "pga/util/files.hpp"
#include "pga/util/strings.hpp"

#include <filesystem>

#include <unistd.h>

namespace pga::collectors {

namespace {

const char* const k_settings_sql =
    "SELECT pg_catalog.current_setting('data_directory') AS data_directory,"
    " pg_catalog.current_setting('log_directory') AS log_directory,"
    " pg_catalog.current_setting('logging_collector')::bool AS logging_collector,"
    " EXTRACT(EPOCH FROM (pg_catalog.now() AT TIME ZONE pg_catalog.current_setting('log_timezone'))"
    " - (pg_catalog.now() AT TIME ZONE 'UTC'))::int8 AS utc_offset_s";

const char* const k_logfile_sql = "SELECT pg_catalog.pg_current_logfile('stderr')";

std::string absolute(const std::string& path, const std::string& data_dir) {
    return !path.empty() && path.front() == '/' ? path : data_dir + "/" + path;
}

// Returns the newest regular *.log file in dir, or "" (used when pg_current_logfile() is not granted).
std::string newest_log(const std::string& dir) {
    std::error_code ec;
    std::string best;
    std::filesystem::file_time_type best_time{};
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        if (e.is_regular_file(ec) && e.path().extension() == ".log" &&
            (best.empty() || e.last_write_time(ec) > best_time)) {
            best = e.path().string();
            best_time = e.last_write_time(ec);
        }
    }
    return best;
}

// Returns the server's current stderr log file, or nullopt with *why set.
std::optional<std::string> current_log(pg::Session& session, const pg::Result& settings, std::string* why) {
    const auto data_dir = settings.get(0, 0).value_or("");
    try {
        const auto f = session.value(k_logfile_sql);
        if (!f) {
            *why = "the server writes no stderr log file (logging_collector is off or log_destination lacks stderr)";
        }
        return f ? std::optional(absolute(*f, data_dir)) : std::nullopt;
    } catch (const pg::Error& e) {
        if (e.sqlstate() != "42501") {
            throw;
        }
    }
    // pg_current_logfile() is superuser-only unless granted: find the file ourselves.
    if (const auto listed = util::try_read_file(data_dir + "/current_logfiles", nullptr)) {
        for (const auto& line : util::split_list(*listed, '\n')) {
            if (line.starts_with("stderr ")) {
                return absolute(line.substr(7), data_dir);
            }
        }
    }
    const auto newest = newest_log(absolute(settings.get(0, 1).value_or("log"), data_dir));
    if (newest.empty()) {
        *why = "cannot find the current server log: pg_current_logfile() is not granted to this role and the log "
               "directory is not readable (GRANT EXECUTE ON FUNCTION pg_catalog.pg_current_logfile(text) TO <role>)";
        return std::nullopt;
    }
    return newest;
}

nlohmann::json counts_by_level(const std::vector<nlohmann::json>& entries) {
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& e : entries) {
        const auto level = e["level"].get<std::string>();
        counts[level] = counts.value(level, 0) + 1;
    }
    return counts;
}

} // namespace

void LogCollector::read(pg::Session& session, LogFollower& follower, const LogLimits& limits, collect::Output& out) {
    const auto settings = session.query(k_settings_sql);
    if (!settings.get_bool(0, 2).value_or(false)) {
        out.unavailable = "logging_collector is off: the server log is not in a file the collector can follow";
        return;
    }
    std::string why;
    const auto file = current_log(session, settings, &why);
    if (!file) {
        out.unavailable = why;
        return;
    }
    const auto& path = *file;
    if (::access(path.c_str(), R_OK) != 0) {
        out.unavailable = "cannot read the server log " + path + ": " + util::errno_text() +
                          " (the collector's OS user needs read access, e.g. membership in the postgres group)";
        return;
    }
    LogChunk chunk;
    try {
        chunk = follower.read(path, limits.max_lines, limits.max_bytes);
    } catch (const std::runtime_error& e) {
        out.unavailable = std::string("cannot read the server log: ") + e.what();
        return;
    }
    const auto entries = log_entries(chunk.lines, settings.get_int(0, 3).value_or(0));
    if (!follower.save_error().empty()) {
        out.errors.push_back({"", "cannot save the log position: " + follower.save_error()});
    }
    out.rows += chunk.lines.size();
    out.metrics.push_back({{"file", path},
                           {"lines_read", chunk.lines.size()},
                           {"bytes_read", chunk.bytes},
                           {"rotated", chunk.rotated},
                           {"more_pending", chunk.more},
                           {"counts_by_level", counts_by_level(entries)},
                           {"entries", entries}});
}

void LogCollector::collect(const collect::Context& ctx, collect::Output& out) {
    if (!is_local_host(ctx.config.postgresql.host)) {
        out.unavailable =
            "the server is not on this host (" + ctx.config.postgresql.host + "): its log file cannot be read";
        return;
    }
    std::lock_guard lock(mutex_);
    if (!follower_) {
        const auto dir = ctx.config.collector.state_dir;
        follower_ = std::make_unique<LogFollower>(dir.empty() ? "" : dir + "/pg_log.position.json");
    }
    auto conn = ctx.borrow(ctx.config.postgresql.database);
    const LogLimits limits{ctx.config.tuning.pg_log_max_lines,
                           static_cast<std::uint64_t>(ctx.config.tuning.pg_log_max_read_kib) * 1024};
    read(*conn, *follower_, limits, out);
}

std::unique_ptr<collect::Collector> make_log() {
    return std::make_unique<LogCollector>();
}

} // namespace pga::collectors
