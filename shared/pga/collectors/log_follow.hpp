// Following a server log file across cycles for pg_log: complete lines are read from a saved
// position (file, byte offset), at most max_lines lines and max_bytes bytes per call; when the server switched to a new
// file (rotation), the rest of the old file is read first, then the new one from its start. The position is kept in
// memory and in a small JSON file (in state_dir) so a restart continues where it stopped. Without any saved position,
// following starts at the current end of the file (no history flood).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pga::collectors {

struct LogPosition {
    std::string file;
    std::uint64_t offset = 0;
};

struct LogChunk {
    std::vector<std::string> lines; // complete lines, without their newline
    bool more = false;              // lines were left for the next call (max_lines or max_bytes reached)
    bool rotated = false;           // the current file changed since the previous call
    std::uint64_t bytes = 0;        // bytes consumed
};

class LogFollower {
public:
    // state_path: where the position is saved ("" keeps it in memory only).
    explicit LogFollower(std::string state_path) : state_path_(std::move(state_path)) {}
    // Reads up to max_lines complete new lines and max_bytes bytes (a line longer than max_bytes
    // is cut), current_file being the file the server writes now. Throws std::runtime_error when a
    // file exists but cannot be read.
    LogChunk read(const std::string& current_file, std::int64_t max_lines, std::uint64_t max_bytes);
    const std::optional<LogPosition>& position() const { return position_; }
    // Returns the last failure to save the position ("" when saved or nothing to save).
    const std::string& save_error() const { return save_error_; }

private:
    void load();
    void save();
    // Appends lines of file from position_->offset; returns true when it reached the end.
    bool read_file(const std::string& file, std::int64_t max_lines, std::uint64_t max_bytes, LogChunk& chunk);

    std::string state_path_;
    bool loaded_ = false;
    std::optional<LogPosition> position_;
    std::string save_error_;
};

} // namespace pga::collectors
