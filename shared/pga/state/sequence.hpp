// The batch sequence number: monotonic per state directory and kept across restarts in
// state_dir/sequence (written atomically), so the backend can order batches and drop duplicates.
#pragma once

#include <cstdint>
#include <filesystem>

namespace pga::state {

class Sequence {
public:
    // Reads the last number used from state_dir (0 when the file does not exist). When persist is
    // false the directory is not touched at all and numbering starts at 1 (dry runs). Throws
    // std::runtime_error on an unreadable file.
    Sequence(std::filesystem::path state_dir, bool persist);
    // Returns the next number, persisted before it is returned; throws std::runtime_error when
    // the file cannot be written (the number is then used up all the same: last() returns it).
    std::uint64_t next();
    std::uint64_t last() const { return last_; }

private:
    std::filesystem::path path_;
    bool persist_;
    std::uint64_t last_ = 0;
};

} // namespace pga::state
