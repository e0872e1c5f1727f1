// Running a helper program (initdb, pg_ctl) without a shell: argv as given, stdout and stderr
// appended to a log file, the exit status returned.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pga::util {

// Runs argv[0] (looked up in PATH) with argv, stdin from /dev/null and stdout/stderr appended to
// log; waits for it. Returns its exit status (128 + signal when killed). Throws
// std::runtime_error when it cannot be started.
int run_program(const std::vector<std::string>& argv, const std::filesystem::path& log);

// Starts argv[0] (looked up in PATH) with argv and the extra environment entries ("KEY=value")
// added, stdin from /dev/null, stdout/stderr appended to log; returns its pid without waiting.
// Throws std::runtime_error when it cannot be started.
int start_program(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                  const std::filesystem::path& log);

// Sends SIGTERM to pid and waits for it (SIGKILL after timeout_ms). Returns its exit status.
int stop_program(int pid, int timeout_ms = 5000);

// Returns argv as one line for messages (arguments with spaces quoted).
std::string describe_argv(const std::vector<std::string>& argv);

} // namespace pga::util
