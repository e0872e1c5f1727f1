// Reserve file: see reserve_file.hpp.
#include "pga/util/reserve_file.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace pga::util {

ReserveFile::ReserveFile(std::filesystem::path path, std::uint64_t size_bytes)
    : path_(std::move(path)), size_bytes_(size_bytes) {}

bool ReserveFile::hold() {
    if (held_) {
        return true;
    }
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return false;
    }
    held_ = ::posix_fallocate(fd, 0, static_cast<off_t>(size_bytes_)) == 0;
    ::close(fd);
    if (!held_) {
        ::unlink(path_.c_str()); // a partial reserve would only take room
    }
    return held_;
}

bool ReserveFile::release() {
    if (!held_ || ::unlink(path_.c_str()) != 0) {
        return false;
    }
    held_ = false;
    return true;
}

} // namespace pga::util
