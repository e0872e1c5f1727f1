// Mount table parsing and statvfs: see mounts.hpp.
#include "pga/collectors/mounts.hpp"

#include "pga/util/files.hpp"
#include "pga/util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <sys/statvfs.h>

namespace pga::collectors {

namespace {

// Decodes the octal escapes mountinfo uses for space, tab, newline and backslash.
std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) != 0) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

const std::set<std::string, std::less<>> k_pseudo = {
    "autofs", "binfmt_misc", "bpf",      "cgroup",     "cgroup2",         "configfs",    "debugfs",
    "devpts", "devtmpfs",    "efivarfs", "fusectl",    "hugetlbfs",       "mqueue",      "nsfs",
    "proc",   "pstore",      "ramfs",    "rpc_pipefs", "securityfs",      "selinuxfs",   "squashfs",
    "sysfs",  "tmpfs",       "tracefs",  "fuse.lxcfs", "fuse.gvfsd-fuse", "fuse.portal",
};

// Returns true when a shows the device better than b: the whole filesystem, then the shorter path.
bool better_mount(const Mount& a, const Mount& b) {
    if ((a.root == "/") != (b.root == "/")) {
        return a.root == "/";
    }
    return a.mount_point.size() < b.mount_point.size();
}

} // namespace

std::vector<Mount> parse_mountinfo(std::string_view text) {
    std::vector<Mount> out;
    std::istringstream lines{std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream in(line);
        std::string id, parent, dev, root, mount_point, field;
        if (!(in >> id >> parent >> dev >> root >> mount_point)) {
            continue;
        }
        while (in >> field && field != "-") {
        }
        Mount m{dev, unescape(root), unescape(mount_point), "", ""};
        if (field == "-" && (in >> m.fstype >> m.source)) {
            m.source = unescape(m.source);
            out.push_back(std::move(m));
        }
    }
    return out;
}

std::vector<Mount> real_filesystems(const std::vector<Mount>& mounts) {
    std::vector<Mount> out;
    for (const auto& m : mounts) {
        if (k_pseudo.count(m.fstype) > 0) {
            continue;
        }
        auto same = std::find_if(out.begin(), out.end(), [&](const Mount& o) { return o.device_id == m.device_id; });
        if (same == out.end()) {
            out.push_back(m);
        } else if (better_mount(m, *same)) {
            *same = m;
        }
    }
    return out;
}

const Mount* mount_of(const std::vector<Mount>& mounts, const std::string& path) {
    const Mount* best = nullptr;
    for (const auto& m : mounts) {
        const auto& mp = m.mount_point;
        const bool under = path == mp || mp == "/" ||
                           (util::starts_with(path, mp) && path.size() > mp.size() && path[mp.size()] == '/');
        if (under && (best == nullptr || mp.size() >= best->mount_point.size())) {
            best = &m;
        }
    }
    return best;
}

StatFs real_statfs() {
    return [](const std::string& path, std::string* error) -> std::optional<FsUsage> {
        struct statvfs st {};
        if (::statvfs(path.c_str(), &st) != 0) {
            if (error != nullptr) {
                *error = util::errno_text();
            }
            return std::nullopt;
        }
        const std::uint64_t unit = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
        return FsUsage{st.f_blocks * unit, st.f_bfree * unit, st.f_bavail * unit, st.f_files, st.f_ffree};
    };
}

} // namespace pga::collectors
