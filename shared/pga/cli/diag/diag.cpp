// pga-diag's driver: gathers the entries, refuses to write when a configured secret appears in
// any of them, then writes the tar.gz (libarchive) with mode 0600: see diag.hpp.
#include "pga/cli/diag/diag.hpp"

#include "pga/cli/common.hpp"
#include "pga/cli/diag/redact.hpp"
#include "pga/cli/diag/sources.hpp"
#include "pga/cli/exit_codes.hpp"
#include "pga/cli/validate/validate.hpp"
#include "pga/state/status.hpp"
#include "pga/util/files.hpp"
#include "pga/util/host.hpp"
#include "pga/util/time.hpp"
#include "pga/version.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <ostream>
#include <sstream>
#include <vector>

namespace pga::cli::diag {

namespace {

struct Entry {
    std::string name;
    std::string data;
};

// Returns seconds for "30m", "2h", "1d", "90s" or "120"; nullopt when malformed.
std::optional<std::int64_t> parse_duration(const std::string& s) {
    if (s.empty()) {
        return std::nullopt;
    }
    std::size_t used = 0;
    std::int64_t n = 0;
    try {
        n = std::stoll(s, &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    const std::string unit = s.substr(used);
    const std::int64_t mult = unit.empty() || unit == "s" ? 1
                              : unit == "m"               ? 60
                              : unit == "h"               ? 3600
                              : unit == "d"               ? 86400
                                                          : 0;
    return mult == 0 || n < 0 ? std::nullopt : std::optional<std::int64_t>(n * mult);
}

std::vector<Entry> gather(const config::Config& c, const Options& o, std::int64_t since_s) {
    const std::vector<std::string> secrets{c.postgresql.password.reveal(), c.backend.token.reveal(),
                                           c.backend.registration_secret.reveal()};
    std::vector<Entry> e;
    e.push_back({"config.toml.redacted", redact_config(util::read_file(c.source_path))});
    e.push_back({"collector.log", scrub(recent_log(c.collector.log_file, since_s), secrets)});
    std::string err;
    const auto status = state::read_status(c.collector.state_dir, &err);
    e.push_back({"status.json", scrub(status ? status->dump(2) + "\n" : "# " + err + "\n", secrets)});
    e.push_back({"spool.txt", spool_summary(c.collector.state_dir)});
    auto v = validate::to_json(validate::run(o.config_path, {}));
    e.push_back({"validate.json", scrub(v.dump(2) + "\n", secrets)});
    e.push_back({"postgresql.txt", scrub(postgres_info(c), secrets)});
    e.push_back({"system.txt", system_info(c)});
    e.push_back({"process.txt", scrub(process_info(c.collector.state_dir), secrets)});
    e.push_back({"versions.txt", version_line("pga-diag") + "\n" + version_line("pga-validate") + "\n" +
                                     version_line("pga-healthcheck") + "\n" + version_line("pga-bench") + "\n"});
    nlohmann::json manifest{{"tool", "pga-diag"},           {"version", k_version},
                            {"host", util::host_name()},    {"created_at", util::rfc3339_utc(util::SystemClock::now())},
                            {"log_since_seconds", since_s}, {"files", nlohmann::json::array()}};
    for (const auto& x : e) {
        manifest["files"].push_back({{"name", x.name}, {"size_bytes", x.data.size()}});
    }
    e.push_back({"manifest.json", manifest.dump(2) + "\n"});
    return e;
}

std::string bundle_name() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    std::string host = util::host_name();
    for (char& ch : host) {
        ch = std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' ? ch : '_';
    }
    return "pganalytics-diag-" + host + "-" + buf;
}

struct ArchiveFree {
    void operator()(archive* a) const { archive_write_free(a); }
};

// Writes the entries under dir/ inside a tar.gz at path created 0600; throws on failure.
void write_bundle(const std::string& path, const std::string& dir, const std::vector<Entry>& entries) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw std::runtime_error(path + ": " + util::errno_text());
    }
    std::unique_ptr<archive, ArchiveFree> a(archive_write_new());
    archive_write_add_filter_gzip(a.get());
    archive_write_set_format_pax_restricted(a.get());
    if (archive_write_open_fd(a.get(), fd) != ARCHIVE_OK) {
        ::close(fd);
        throw std::runtime_error(path + ": " + archive_error_string(a.get()));
    }
    for (const auto& e : entries) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, (dir + "/" + e.name).c_str());
        archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0600);
        archive_entry_set_mtime(entry, std::time(nullptr), 0);
        archive_write_header(a.get(), entry);
        archive_write_data(a.get(), e.data.data(), e.data.size());
        archive_entry_free(entry);
    }
    const bool ok = archive_write_close(a.get()) == ARCHIVE_OK;
    ::fsync(fd);
    ::close(fd);
    if (!ok) {
        throw std::runtime_error(path + ": cannot finish the archive");
    }
}

} // namespace

int diag_main(const Options& o, std::ostream& out, std::ostream& err) {
    const auto since = parse_duration(o.since);
    if (!since) {
        err << "pga-diag: --since " << o.since << " is not a duration\nhint: use e.g. 90m, 24h or 2d\n";
        return k_exit_usage;
    }
    const auto config = load_config(o.config_path, err);
    if (!config) {
        err << "pga-diag: configuration is invalid\n";
        return k_exit_config;
    }
    try {
        const auto entries = gather(*config, o, *since);
        const std::vector<std::string> secrets{config->postgresql.password.reveal(), config->backend.token.reveal(),
                                               config->backend.registration_secret.reveal()};
        for (const auto& e : entries) {
            if (!find_secret(e.data, secrets).empty()) {
                err << "pga-diag: a configured secret would appear in " << e.name << ": nothing written\n";
                return k_exit_failure;
            }
        }
        const std::string name = bundle_name();
        const std::string path = o.output_dir + "/" + name + ".tar.gz";
        write_bundle(path, name, entries);
        if (o.json) {
            out << nlohmann::json{{"bundle", path}, {"files", entries.size()}}.dump() << "\n";
        } else {
            out << path << "\n";
        }
        return k_exit_ok;
    } catch (const std::exception& e) {
        err << "pga-diag: " << e.what() << "\n";
        return k_exit_failure;
    }
}

} // namespace pga::cli::diag
