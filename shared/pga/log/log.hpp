// Logging set-up (spdlog): one logger writing to the configured log file and to stderr, levels
// from the config or the command line, the file reopened on SIGHUP for logrotate. Every message
// passes through a formatter that escapes control characters, so no value can forge a line.
#pragma once

#include <optional>
#include <string>

namespace pga::log {

struct Options {
    std::string file;           // empty: stderr only
    std::string level = "info"; // trace, debug, info, warning, error, critical, off
    bool to_stderr = true;
};

// Installs the default logger. Returns a warning text when the file could not be opened (logging
// then goes to stderr only and the warning has been logged once), else nullopt.
std::optional<std::string> setup(const Options& options);

// Reopens the log file (after logrotate moved it). Safe to call from the main loop.
void reopen();

// Changes the level of the default logger; returns false for an unknown level name.
bool set_level(const std::string& level);

// Installs a stderr-only logger at the given level (for tools before the config is read).
void setup_stderr(const std::string& level = "warning");

} // namespace pga::log
