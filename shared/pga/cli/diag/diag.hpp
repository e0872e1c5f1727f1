// pga-diag: gathers the diagnostic bundle (redacted config, scrubbed recent log, status file,
// spool summary, pga-validate results, versions, OS/CPU/memory/disks, the collector process,
// PostgreSQL settings and pg_stat_statements info, a manifest), checks that no configured secret
// appears in any entry, and writes pganalytics-diag-<host>-<time>.tar.gz with mode 0600.
// Exit codes: 0 written, 1 failed (a secret found, or an I/O error), 2 usage, 78 bad config.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace pga::cli::diag {

struct Options {
    std::optional<std::string> config_path;
    std::string output_dir = ".";
    std::string since = "24h"; // log window: N followed by s, m, h or d
    bool json = false;
};

// Builds and writes the bundle; prints its path (or JSON). Returns the exit code.
int diag_main(const Options& options, std::ostream& out, std::ostream& err);

} // namespace pga::cli::diag
