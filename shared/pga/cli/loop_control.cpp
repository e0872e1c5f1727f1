// Loop requests and the signal watcher: see loop_control.hpp.
#include "pga/cli/loop_control.hpp"

#include <csignal>
#include <ctime>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <thread>

namespace pga::cli {

void LoopControl::request_stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
}

void LoopControl::request_reload() {
    {
        std::lock_guard lock(mutex_);
        reload_ = true;
    }
    wake_.notify_all();
}

void LoopControl::offer_config(std::shared_ptr<const config::Config> config) {
    std::lock_guard lock(mutex_);
    offered_ = std::move(config);
}

std::shared_ptr<const config::Config> LoopControl::take_config() {
    std::lock_guard lock(mutex_);
    return std::move(offered_);
}

void LoopControl::wait_until(util::SteadyClock::time_point deadline) {
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, deadline, [&] { return stop_.load() || reload_.load(); });
}

struct SignalWatcher::Impl {
    sigset_t set{};
    std::atomic<bool> exiting{false};
    std::thread thread;
};

SignalWatcher::SignalWatcher(LoopControl& control) : impl_(std::make_unique<Impl>()) {
    sigemptyset(&impl_->set);
    sigaddset(&impl_->set, SIGTERM);
    sigaddset(&impl_->set, SIGINT);
    sigaddset(&impl_->set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &impl_->set, nullptr);
    impl_->thread = std::thread([impl = impl_.get(), &control] {
        const timespec tick{0, 200 * 1000 * 1000};
        while (!impl->exiting) {
            const int sig = sigtimedwait(&impl->set, nullptr, &tick);
            if (sig == SIGHUP) {
                spdlog::info("received SIGHUP: reloading the configuration and reopening the log");
                control.request_reload();
            } else if (sig == SIGTERM || sig == SIGINT) {
                spdlog::info("received {}: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
                control.request_stop();
            }
        }
    });
}

SignalWatcher::~SignalWatcher() {
    impl_->exiting = true;
    impl_->thread.join();
}

} // namespace pga::cli
