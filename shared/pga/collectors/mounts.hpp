// The mount table (/proc/self/mountinfo) and filesystem usage (statvfs) for disk_usage: which
// mounts are real filesystems (not proc, sysfs, cgroup, tmpfs...), one entry per device, and the
// mount a path lives on.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pga::collectors {

struct Mount {
    std::string device_id; // "major:minor"
    std::string root;      // the directory of the filesystem mounted here ("/" unless a bind mount)
    std::string mount_point;
    std::string fstype;
    std::string source; // the mounted device ("/dev/sda1") or pseudo source
};

// Returns every mount of a mountinfo text, with \040-style escapes decoded.
std::vector<Mount> parse_mountinfo(std::string_view text);

// Returns the mounts of real filesystems, one per device (a whole-filesystem mount is preferred to a
// bind mount of a subdirectory, then the shorter mount point).
std::vector<Mount> real_filesystems(const std::vector<Mount>& mounts);

// Returns the mount holding path (longest mount-point prefix), or nullptr.
const Mount* mount_of(const std::vector<Mount>& mounts, const std::string& path);

struct FsUsage {
    std::uint64_t total_bytes = 0, free_bytes = 0, available_bytes = 0;
    std::uint64_t inodes_total = 0, inodes_free = 0;
};

// Returns the usage of the filesystem holding path, or nullopt with the reason in *error.
using StatFs = std::function<std::optional<FsUsage>(const std::string& path, std::string* error)>;

// Returns a StatFs calling statvfs(2).
StatFs real_statfs();

} // namespace pga::collectors
