// File helpers: whole-file reads, crash-safe atomic writes (tmp, fsync, rename, fsync dir),
// permission checks.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace pga::util {

// Returns the whole content of path; throws std::runtime_error("<path>: <reason>") on failure.
std::string read_file(const std::filesystem::path& path);

// Returns the whole content of path, or nullopt when it cannot be read (reason in *error).
std::optional<std::string> try_read_file(const std::filesystem::path& path, std::string* error);

// Writes data to path atomically and durably with the given mode: a reader sees the old or the
// new content, never a mix, also after a crash. Throws std::runtime_error naming path on failure.
void atomic_write(const std::filesystem::path& path, std::string_view data, mode_t mode = 0644);

// Returns the permission bits of path, or nullopt when it does not exist.
std::optional<mode_t> file_mode(const std::filesystem::path& path);

// Returns the last OS error as text (strerror of errno).
std::string errno_text();

} // namespace pga::util
