// The bundle's text sources: see sources.hpp.
#include "pga/cli/diag/sources.hpp"

#include "pga/cli/common.hpp"
#include "pga/cli/healthcheck/probe.hpp"
#include "pga/cli/validate/pg_params.hpp"
#include "pga/util/files.hpp"
#include "pga/util/time.hpp"

#include <libpq-fe.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace pga::cli::diag {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_max_log = 5 * 1024 * 1024;

std::string file_or(const std::string& path, const std::string& what) {
    std::string error;
    auto text = util::try_read_file(path, &error);
    return text ? *text : "# " + what + " not readable: " + error + "\n";
}

// Returns the unix time of a line's leading timestamp ("[2026-02-26 10:00:00" or RFC3339), or nullopt.
std::optional<std::int64_t> line_time(const std::string& line) {
    std::size_t i = line.empty() || line[0] != '[' ? 0 : 1;
    if (line.size() < i + 19) {
        return std::nullopt;
    }
    std::string ts = line.substr(i, 19);
    ts[10] = 'T';
    const auto t = util::parse_rfc3339(ts + "Z");
    if (!t) {
        return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

} // namespace

std::string recent_log(const std::string& path, std::int64_t since_s) {
    std::string error;
    auto text = util::try_read_file(path, &error);
    if (!text) {
        return "# log not readable: " + error + "\n";
    }
    if (text->size() > k_max_log) {
        *text = text->substr(text->size() - k_max_log);
    }
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(util::SystemClock::now().time_since_epoch()).count();
    std::istringstream in(*text);
    std::string line;
    std::string out;
    bool keep = true;
    while (std::getline(in, line)) {
        if (const auto t = line_time(line)) {
            keep = *t >= now - since_s;
        }
        if (keep) {
            out += line + "\n";
        }
    }
    return out;
}

std::string spool_summary(const std::string& state_dir) {
    std::ostringstream s;
    std::error_code ec;
    std::uintmax_t total = 0;
    int files = 0;
    for (const auto& e : fs::directory_iterator(state_dir, ec)) {
        if (e.is_regular_file(ec)) {
            const auto size = e.file_size(ec);
            s << e.path().filename().string() << "\t" << size << " bytes\n";
            total += size;
            ++files;
        }
    }
    if (ec) {
        s << "# " << state_dir << " not readable: " << ec.message() << "\n";
    }
    s << "# " << files << " files, " << total << " bytes in " << state_dir << "\n";
    return s.str();
}

std::string system_info(const config::Config& c) {
    std::ostringstream s;
    struct utsname u {};
    if (uname(&u) == 0) {
        s << "kernel: " << u.sysname << " " << u.release << " " << u.version << " " << u.machine << "\n";
    }
    s << "cpus_online: " << sysconf(_SC_NPROCESSORS_ONLN) << "\n\n## /etc/os-release\n"
      << file_or("/etc/os-release", "/etc/os-release") << "\n## /proc/meminfo\n"
      << file_or("/proc/meminfo", "/proc/meminfo") << "\n## disks\n";
    for (const std::string& p :
         {c.collector.state_dir, fs::path(c.collector.log_file).parent_path().string(), std::string("/")}) {
        struct statvfs st {};
        if (statvfs(p.c_str(), &st) == 0) {
            s << p << ": " << (st.f_bavail * st.f_frsize) / 1048576 << " MiB free of "
              << (st.f_blocks * st.f_frsize) / 1048576 << " MiB\n";
        } else {
            s << p << ": not available\n";
        }
    }
    const std::string cpuinfo = file_or("/proc/cpuinfo", "/proc/cpuinfo");
    const auto model = cpuinfo.find("model name");
    if (model != std::string::npos) {
        s << "\n" << cpuinfo.substr(model, cpuinfo.find('\n', model) - model) << "\n";
    }
    return s.str();
}

std::string process_info(const std::string& state_dir) {
    const auto holder = healthcheck::lock_holder(state_dir);
    if (!holder.running || holder.pid <= 0) {
        return "# no running collector holds " + state_dir + "/pganalytics.lock\n";
    }
    const std::string proc = "/proc/" + std::to_string(holder.pid);
    std::string cmdline = file_or(proc + "/cmdline", "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    return "pid: " + std::to_string(holder.pid) + "\ncmdline: " + cmdline + "\n\n## status\n" +
           file_or(proc + "/status", "status");
}

std::string postgres_info(const config::Config& c) {
    std::ostringstream s;
    s << version_line("pganalytics") << "\nlibpq runtime: " << PQlibVersion() << "\n";
    try {
        pg::Connection conn(validate::conn_params(c, "", "pga-diag"));
        s << "server: " << conn.value("SELECT version()").value_or("?") << "\n\n## settings\n";
        const auto r = conn.query(
            "SELECT name, setting, coalesce(unit, '') FROM pg_settings WHERE name IN ('max_connections', "
            "'superuser_reserved_connections', 'shared_preload_libraries', 'pg_stat_statements.max', "
            "'pg_stat_statements.track', 'track_io_timing', 'track_activity_query_size', 'statement_timeout', "
            "'shared_buffers', 'work_mem', 'log_destination', 'logging_collector') ORDER BY name");
        for (int i = 0; i < r.rows(); ++i) {
            s << r.text(i, 0) << " = " << r.text(i, 1) << r.text(i, 2) << "\n";
        }
        const auto ext = conn.query("SELECT n.nspname, e.extversion FROM pg_extension e JOIN pg_namespace n ON "
                                    "n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'");
        if (ext.rows() == 0) {
            s << "\npg_stat_statements: not installed in " << c.postgresql.database << "\n";
        } else {
            const std::string schema = conn.quote_identifier(std::string(ext.text(0, 0)));
            s << "\npg_stat_statements " << ext.text(0, 1) << " in schema " << ext.text(0, 0) << ": "
              << conn.value("SELECT count(*) FROM " + schema + ".pg_stat_statements").value_or("?") << " statements\n";
        }
    } catch (const std::exception& e) {
        s << "server: not reachable: " << e.what() << "\n";
    }
    return s.str();
}

} // namespace pga::cli::diag
