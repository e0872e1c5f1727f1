// File helpers: see files.hpp.
#include "pga/util/files.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace pga::util {

std::string errno_text() {
    return std::strerror(errno);
}

std::optional<std::string> try_read_file(const std::filesystem::path& path, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error != nullptr) {
            *error = errno_text();
        }
        return std::nullopt;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) {
        if (error != nullptr) {
            *error = "read error";
        }
        return std::nullopt;
    }
    return buf.str();
}

std::string read_file(const std::filesystem::path& path) {
    std::string error;
    auto content = try_read_file(path, &error);
    if (!content) {
        throw std::runtime_error(path.string() + ": " + error);
    }
    return *content;
}

namespace {

// Owns a file descriptor and closes it on scope exit.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what) {
    throw std::runtime_error(path.string() + ": " + std::string(what) + ": " + errno_text());
}

void write_all(int fd, std::string_view data, const std::filesystem::path& path) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail(path, "write failed");
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

} // namespace

void atomic_write(const std::filesystem::path& path, std::string_view data, mode_t mode) {
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    auto tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (fd.get() < 0) {
        fail(tmp, "cannot create");
    }
    try {
        ::fchmod(fd.get(), mode);
        write_all(fd.get(), data, tmp);
        if (::fsync(fd.get()) != 0) {
            fail(tmp, "fsync failed");
        }
        if (::close(fd.release()) != 0) {
            fail(tmp, "close failed");
        }
        if (::rename(tmp.c_str(), path.c_str()) != 0) {
            fail(path, "rename failed");
        }
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() >= 0) {
        ::fsync(dir_fd.get());
    }
}

std::optional<mode_t> file_mode(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return std::nullopt;
    }
    return st.st_mode & 07777;
}

} // namespace pga::util
