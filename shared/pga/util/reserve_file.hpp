// A reserve file: disk space taken ahead of time (posix_fallocate) so that it can be handed back
// when the disk is full, letting the owner free space of its own (the spool uses it to delete
// sent entries on a full disk). Not thread-safe: the owner serialises calls.
#pragma once

#include <cstdint>
#include <filesystem>

namespace pga::util {

class ReserveFile {
public:
    // Names the file and its size; takes nothing yet.
    ReserveFile(std::filesystem::path path, std::uint64_t size_bytes);

    // Allocates the whole file unless it is already held; a partial file (no room) is removed.
    // Returns whether the reserve is held.
    bool hold();
    // Deletes the file if it is held; returns true when that gave room back.
    bool release();
    bool held() const { return held_; }
    std::uint64_t size_bytes() const { return size_bytes_; }

private:
    std::filesystem::path path_;
    std::uint64_t size_bytes_;
    bool held_ = false;
};

} // namespace pga::util
