// pg_log: new entries of the server's current stderr log file (pg_current_logfile() when the role
// may call it, else the data directory's current_logfiles or the newest *.log in log_directory),
// followed across cycles and rotations from a saved offset (log_follow.hpp), parsed
// into real timestamps and levels (log_parse.hpp), at most [pg_log] max_lines lines and
// max_read_kib KiB per cycle, with
// counts by level. The file is read directly, so only when the server is on this host and the file
// is readable by the collector's OS user; otherwise the type is "unavailable" with the reason.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/collectors/log_follow.hpp"
#include "pga/pg/session.hpp"

#include <mutex>

namespace pga::collectors {

// The [pg_log] tuning keys.
struct LogLimits {
    std::int64_t max_lines = 0;
    std::uint64_t max_bytes = 0;
};

class LogCollector final : public collect::Collector {
public:
    void collect(const collect::Context& ctx, collect::Output& out) override;
    // Reads new log lines of the server session belongs to with follower; throws pg::Error.
    static void read(pg::Session& session, LogFollower& follower, const LogLimits& limits, collect::Output& out);

private:
    std::mutex mutex_;
    std::unique_ptr<LogFollower> follower_;
};

} // namespace pga::collectors
