// disk_usage: every real filesystem (mount point, device, bytes), and when the server runs on this
// host the filesystems of its data and WAL directories; plus WAL size and database sizes from
// PostgreSQL. The host part is reported even when PostgreSQL cannot be reached.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/collectors/file_reader.hpp"
#include "pga/collectors/mounts.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

// Returns true when host names this machine (empty, a socket directory, localhost or loopback).
bool is_local_host(const std::string& host);

// Returns {"filesystems": [...]} from the mount table text, each with its usage.
nlohmann::json filesystems_json(const std::vector<Mount>& mounts, const StatFs& statfs);

// Adds data_directory, wal_directory (when local), wal_bytes and databases to o from session;
// failures of single parts go to errors. Throws pg::Error when the session fails outright.
void read_postgres_disk(pg::Session& session, const std::vector<std::string>& databases, bool local,
                        const std::vector<Mount>& mounts, const StatFs& statfs, nlohmann::json& o,
                        std::vector<collect::RunError>& errors);

class DiskUsageCollector final : public collect::Collector {
public:
    explicit DiskUsageCollector(FileReader reader = real_file_reader(), StatFs statfs = real_statfs());
    void collect(const collect::Context& ctx, collect::Output& out) override;

private:
    FileReader read_;
    StatFs statfs_;
};

} // namespace pga::collectors
