// The instance lock: see instance_lock.hpp.
#include "pga/state/instance_lock.hpp"

#include "pga/util/files.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

namespace pga::state {

std::filesystem::path InstanceLock::path_in(const std::filesystem::path& state_dir) {
    return state_dir / "pganalytics.lock";
}

std::optional<InstanceLock> InstanceLock::acquire(const std::filesystem::path& state_dir, pid_t* holder) {
    const auto path = path_in(state_dir);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error("cannot open lock file " + path.string() + ": " + util::errno_text());
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        char buf[32] = {};
        const auto n = ::pread(fd, buf, sizeof buf - 1, 0);
        ::close(fd);
        if (err != EWOULDBLOCK) {
            throw std::runtime_error("cannot lock " + path.string() + ": " + std::string(std::strerror(err)));
        }
        *holder = n > 0 ? static_cast<pid_t>(std::atol(buf)) : 0;
        return std::nullopt;
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        ::close(fd);
        throw std::runtime_error("cannot write lock file " + path.string() + ": " + util::errno_text());
    }
    return InstanceLock(fd);
}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

InstanceLock& InstanceLock::operator=(InstanceLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

InstanceLock::~InstanceLock() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

} // namespace pga::state
