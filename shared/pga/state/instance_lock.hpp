// One collection loop per state directory: an exclusive flock on state_dir/pganalytics.lock held
// for the life of the process, with the holder's pid written in the file so a second instance can
// say who runs. The kernel drops the lock when the process dies, so a crash leaves no stale lock.
#pragma once

#include <filesystem>
#include <optional>
#include <sys/types.h>

namespace pga::state {

class InstanceLock {
public:
    // Takes the lock in state_dir. Returns the lock, or sets *holder to the running instance's pid
    // (0 when unknown) and returns nullopt. Throws std::runtime_error when the file cannot be opened.
    static std::optional<InstanceLock> acquire(const std::filesystem::path& state_dir, pid_t* holder);

    InstanceLock(InstanceLock&& other) noexcept;
    InstanceLock& operator=(InstanceLock&& other) noexcept;
    InstanceLock(const InstanceLock&) = delete;
    InstanceLock& operator=(const InstanceLock&) = delete;
    ~InstanceLock();

    // Returns the lock file's path for state_dir.
    static std::filesystem::path path_in(const std::filesystem::path& state_dir);

private:
    explicit InstanceLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

} // namespace pga::state
