// Helper programs: see subprocess.hpp.
#include "pga/util/subprocess.hpp"

#include "pga/util/files.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace pga::util {

namespace {

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
            const std::filesystem::path& log) {
    if (argv.empty()) {
        throw std::runtime_error("run_program: empty argv");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    std::vector<char*> env;
    for (char** e = environ; *e != nullptr; ++e) {
        env.push_back(*e);
    }
    for (const auto& e : extra_env) {
        env.push_back(const_cast<char*>(e.c_str()));
    }
    env.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        errno = rc;
        throw std::runtime_error("cannot run " + argv[0] + ": " + errno_text());
    }
    return pid;
}

int wait_status(pid_t pid, const std::string& name) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw std::runtime_error("waiting for " + name + ": " + errno_text());
        }
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

} // namespace

int run_program(const std::vector<std::string>& argv, const std::filesystem::path& log) {
    return wait_status(spawn(argv, {}, log), argv.at(0));
}

int start_program(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                  const std::filesystem::path& log) {
    return spawn(argv, extra_env, log);
}

int stop_program(int pid, int timeout_ms) {
    ::kill(pid, SIGTERM);
    for (int waited = 0; waited < timeout_ms; waited += 10) {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        }
        if (r < 0) {
            return -1;
        }
        ::usleep(10000);
    }
    ::kill(pid, SIGKILL);
    return wait_status(pid, "pid " + std::to_string(pid));
}

std::string describe_argv(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) {
            out += ' ';
        }
        out += a.find_first_of(" \t'\"") == std::string::npos ? a : "'" + a + "'";
    }
    return out;
}

} // namespace pga::util
