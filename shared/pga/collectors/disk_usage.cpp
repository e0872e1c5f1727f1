// disk_usage: see disk_usage.hpp.
#include "pga/collectors/disk_usage.hpp"

#include "pga/collectors/factories.hpp"

#include <algorithm>

namespace pga::collectors {

namespace {

nlohmann::json usage_json(const FsUsage& u) {
    return {{"total_bytes", u.total_bytes},   {"used_bytes", u.total_bytes - std::min(u.total_bytes, u.free_bytes)},
            {"free_bytes", u.free_bytes},     {"available_bytes", u.available_bytes},
            {"inodes_total", u.inodes_total}, {"inodes_free", u.inodes_free}};
}

// Returns {"path", "mount_point", "device", usage...} for a directory, or {"path", "error"}.
nlohmann::json directory_json(const std::string& path, const std::vector<Mount>& mounts, const StatFs& statfs) {
    std::string error;
    const auto usage = statfs(path, &error);
    if (!usage) {
        return {{"path", path}, {"error", error}};
    }
    nlohmann::json o = {{"path", path}};
    const auto* m = mount_of(mounts, path);
    o["mount_point"] = m != nullptr ? nlohmann::json(m->mount_point) : nlohmann::json(nullptr);
    o["device"] = m != nullptr ? nlohmann::json(m->source) : nlohmann::json(nullptr);
    o.update(usage_json(*usage));
    return o;
}

const char* const k_data_directory_sql = "SELECT setting FROM pg_catalog.pg_settings WHERE name = 'data_directory'";
const char* const k_wal_size_sql = "SELECT pg_catalog.sum(size)::int8 FROM pg_catalog.pg_ls_waldir()";
const char* const k_database_sizes_sql =
    "SELECT datname, CASE WHEN pg_catalog.has_database_privilege(oid, 'CONNECT')"
    " OR pg_catalog.pg_has_role('pg_read_all_stats', 'USAGE') THEN pg_catalog.pg_database_size(oid) END AS size_bytes"
    " FROM pg_catalog.pg_database WHERE datallowconn ORDER BY datname";

} // namespace

bool is_local_host(const std::string& host) {
    return host.empty() || host.front() == '/' || host == "localhost" || host == "127.0.0.1" || host == "::1";
}

nlohmann::json filesystems_json(const std::vector<Mount>& mounts, const StatFs& statfs) {
    auto out = nlohmann::json::array();
    for (const auto& m : real_filesystems(mounts)) {
        std::string error;
        const auto usage = statfs(m.mount_point, &error);
        if (!usage) {
            continue; // a mount we may not look into (another user's FUSE mount)
        }
        nlohmann::json o = {{"mount_point", m.mount_point}, {"device", m.source}, {"fstype", m.fstype}};
        o.update(usage_json(*usage));
        out.push_back(std::move(o));
    }
    return out;
}

void read_postgres_disk(pg::Session& session, const std::vector<std::string>& databases, bool local,
                        const std::vector<Mount>& mounts, const StatFs& statfs, nlohmann::json& o,
                        std::vector<collect::RunError>& errors) {
    const auto data_dir = session.value(k_data_directory_sql);
    o["server_local"] = local;
    o["data_directory"] = nullptr;
    o["wal_directory"] = nullptr;
    if (!data_dir) {
        errors.push_back({"", "data_directory is not visible to this role (grant pg_monitor)"});
    } else if (local) {
        o["data_directory"] = directory_json(*data_dir, mounts, statfs);
        o["wal_directory"] = directory_json(*data_dir + "/pg_wal", mounts, statfs);
    }
    try {
        const auto wal = session.query(k_wal_size_sql);
        o["wal_bytes"] = wal.rows() > 0 && !wal.is_null(0, 0) ? nlohmann::json(*wal.get_int(0, 0)) : nullptr;
    } catch (const pg::Error& e) {
        o["wal_bytes"] = nullptr;
        errors.push_back({"", std::string("cannot read the WAL size: ") + e.what()});
    }
    const auto sizes = session.query(k_database_sizes_sql);
    auto dbs = nlohmann::json::array();
    for (int i = 0; i < sizes.rows(); ++i) {
        const std::string name(sizes.text(i, 0));
        if (std::find(databases.begin(), databases.end(), name) != databases.end()) {
            const auto size = sizes.get_int(i, 1);
            dbs.push_back({{"database", name}, {"size_bytes", size ? nlohmann::json(*size) : nullptr}});
        }
    }
    o["databases"] = std::move(dbs);
}

DiskUsageCollector::DiskUsageCollector(FileReader reader, StatFs statfs)
    : read_(std::move(reader)), statfs_(std::move(statfs)) {}

void DiskUsageCollector::collect(const collect::Context& ctx, collect::Output& out) {
    const auto table = read_("/proc/self/mountinfo");
    const auto mounts = table ? parse_mountinfo(*table) : std::vector<Mount>{};
    if (!table) {
        out.errors.push_back({"", "cannot read /proc/self/mountinfo"});
    }
    nlohmann::json o = {{"type", "disk_usage"}, {"filesystems", filesystems_json(mounts, statfs_)}};
    try {
        auto conn = ctx.borrow(ctx.config.postgresql.database);
        read_postgres_disk(*conn, ctx.databases, is_local_host(ctx.config.postgresql.host), mounts, statfs_, o,
                           out.errors);
    } catch (const pg::Error& e) {
        out.errors.push_back({"", e.what()});
    }
    out.rows += o["filesystems"].size() + (o.contains("databases") ? o["databases"].size() : 0);
    out.metrics.push_back(std::move(o));
}

std::unique_ptr<collect::Collector> make_disk_usage() {
    return std::make_unique<DiskUsageCollector>();
}

} // namespace pga::collectors
