// Following a server log file: see log_follow.hpp.
#include "pga/collectors/log_follow.hpp"

#include "pga/util/files.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace pga::collectors {

namespace {

std::optional<std::uint64_t> file_size(const std::string& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    return ec ? std::nullopt : std::optional<std::uint64_t>(size);
}

} // namespace

void LogFollower::load() {
    loaded_ = true;
    if (state_path_.empty()) {
        return;
    }
    const auto text = util::try_read_file(state_path_, nullptr);
    if (!text) {
        return;
    }
    const auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_object() && j.value("file", "") != "" && j["offset"].is_number_unsigned()) {
        position_ = LogPosition{j["file"].get<std::string>(), j["offset"].get<std::uint64_t>()};
    }
}

void LogFollower::save() {
    save_error_.clear();
    if (state_path_.empty() || !position_) {
        return;
    }
    try {
        const nlohmann::json j = {{"file", position_->file}, {"offset", position_->offset}};
        util::atomic_write(state_path_, j.dump() + "\n", 0600);
    } catch (const std::exception& e) {
        save_error_ = e.what();
    }
}

bool LogFollower::read_file(const std::string& file, std::int64_t max_lines, std::uint64_t max_bytes, LogChunk& chunk) {
    const std::uint64_t budget = max_bytes > chunk.bytes ? max_bytes - chunk.bytes : 0;
    if (budget == 0) {
        chunk.more = true;
        return false;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open " + file + ": " + util::errno_text());
    }
    // Read what the file holds beyond the offset, up to the budget: allocating the whole budget
    // every cycle cost ~30 ms of CPU and kept megabytes resident for a few new lines.
    in.seekg(0, std::ios::end);
    const auto end = static_cast<std::uint64_t>(std::max<std::streamoff>(0, in.tellg()));
    const std::uint64_t available = end > position_->offset ? end - position_->offset : 0;
    in.seekg(static_cast<std::streamoff>(position_->offset));
    std::string data(static_cast<std::size_t>(std::min(budget, available)), '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<std::size_t>(in.gcount()));
    if (data.size() == budget && data.find('\n') == std::string::npos && max_lines > 0) {
        // One line longer than the whole budget: take what fits as a line of its own rather than
        // never moving on; the rest of it follows as continuation text.
        position_->offset += data.size();
        chunk.bytes += data.size();
        chunk.lines.push_back(std::move(data));
        chunk.more = true;
        return false;
    }
    std::size_t start = 0;
    while (static_cast<std::int64_t>(chunk.lines.size()) < max_lines) {
        const auto nl = data.find('\n', start);
        if (nl == std::string::npos) {
            break;
        }
        chunk.lines.emplace_back(data, start, nl - start);
        start = nl + 1;
    }
    position_->offset += start;
    chunk.bytes += start;
    const bool at_end = data.find('\n', start) == std::string::npos && data.size() < budget;
    chunk.more = chunk.more || !at_end;
    return at_end;
}

LogChunk LogFollower::read(const std::string& current_file, std::int64_t max_lines, std::uint64_t max_bytes) {
    if (!loaded_) {
        load();
    }
    LogChunk chunk;
    const auto current_size = file_size(current_file);
    if (!position_) {
        position_ = LogPosition{current_file, current_size.value_or(0)};
        save();
        return chunk;
    }
    if (position_->file != current_file) {
        chunk.rotated = true;
        const auto old_size = file_size(position_->file);
        if (old_size && *old_size >= position_->offset && !read_file(position_->file, max_lines, max_bytes, chunk)) {
            save();
            return chunk; // the old file is not finished yet
        }
        chunk.more = false;
        position_ = LogPosition{current_file, 0};
    } else if (current_size && *current_size < position_->offset) {
        position_->offset = 0; // truncated or replaced under the same name
    }
    const auto left = max_lines - static_cast<std::int64_t>(chunk.lines.size());
    if (left > 0) {
        read_file(current_file, left, max_bytes, chunk);
    } else {
        chunk.more = true;
    }
    save();
    return chunk;
}

} // namespace pga::collectors
