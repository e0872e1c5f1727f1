// pga-validate's system section: the guide's host requirements. Free disk (statvfs) where the
// binaries, the log and the spool (state_dir) live must be at least 2 GiB; memory at least
// 512 MiB total and available; at least 2 CPU cores online.
#include "pga/cli/validate/checks.hpp"

#include "pga/util/files.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace pga::cli::validate {

namespace {

constexpr const char* k_sec = "system";
constexpr double k_min_free_gib = 2.0;
constexpr long k_min_mem_mib = 512;
constexpr long k_min_cores = 2;

namespace fs = std::filesystem;

// Returns path or its nearest existing ancestor.
fs::path existing(fs::path p) {
    std::error_code ec;
    while (!p.empty() && !fs::exists(p, ec) && p != p.root_path()) {
        p = p.parent_path();
    }
    return p.empty() ? fs::path("/") : p;
}

std::string gib(double bytes) {
    std::ostringstream s;
    s.precision(1);
    s << std::fixed << bytes / (1024.0 * 1024 * 1024) << " GiB";
    return s.str();
}

void check_disk(const std::string& what, const fs::path& wanted, Report& r) {
    const fs::path p = existing(wanted);
    struct statvfs st {};
    if (statvfs(p.c_str(), &st) != 0) {
        r.error(k_sec, "disk." + what, "cannot stat " + p.string() + ": " + util::errno_text());
        return;
    }
    const double free_bytes = static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize);
    const std::string msg = gib(free_bytes) + " free at " + p.string() + " (" + what + ")";
    if (free_bytes < k_min_free_gib * 1024 * 1024 * 1024) {
        r.error(k_sec, "disk." + what, msg + ", the guide requires 2 GiB", "free disk space on " + p.string());
    } else {
        r.ok(k_sec, "disk." + what, msg);
    }
}

// Returns a /proc/meminfo value in MiB, or -1.
long meminfo_mib(const std::string& key) {
    std::ifstream in("/proc/meminfo");
    std::string name;
    long kib = 0;
    std::string unit;
    while (in >> name >> kib >> unit) {
        if (name == key + ":") {
            return kib / 1024;
        }
    }
    return -1;
}

void check_memory(Report& r) {
    const long total = meminfo_mib("MemTotal");
    const long avail = meminfo_mib("MemAvailable");
    const std::string msg = std::to_string(total) + " MiB total, " + std::to_string(avail) + " MiB available";
    if (total >= 0 && total < k_min_mem_mib) {
        r.error(k_sec, "memory", msg + ", the guide requires 512 MiB per collector", "add memory");
    } else if (avail >= 0 && avail < k_min_mem_mib) {
        r.warning(k_sec, "memory", msg + ", less than 512 MiB available", "free memory or add more");
    } else {
        r.ok(k_sec, "memory", msg);
    }
}

void check_cpu(Report& r) {
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < k_min_cores) {
        r.warning(k_sec, "cpu", std::to_string(cores) + " CPU core(s) online, the guide recommends 2",
                  "run thread_pool_size = 1 or add a core");
    } else {
        r.ok(k_sec, "cpu", std::to_string(cores) + " CPU cores online");
    }
}

} // namespace

void check_system(const config::Config& c, Report& r) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    check_disk("binaries", ec ? fs::path("/usr/local/bin") : exe.parent_path(), r);
    check_disk("logs", fs::path(c.collector.log_file).parent_path(), r);
    check_disk("spool", fs::path(c.collector.state_dir), r);
    check_memory(r);
    check_cpu(r);
}

} // namespace pga::cli::validate
