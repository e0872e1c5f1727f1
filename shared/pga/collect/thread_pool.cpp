// Worker threads: see thread_pool.hpp. The shared state outlives the pool object so a detached
// worker (a task stuck past the shutdown bound) never touches freed memory.
#include "pga/collect/thread_pool.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <spdlog/spdlog.h>
#include <thread>
#include <vector>

namespace pga::collect {

struct ThreadPool::State {
    std::mutex mutex;
    std::condition_variable work;
    std::condition_variable exited;
    std::deque<std::function<void()>> queue;
    std::vector<std::thread> workers;
    int running_workers = 0;
    bool stopping = false;
    bool drop_queue = false;
};

namespace {

void worker_loop(const std::shared_ptr<ThreadPool::State>& s) {
    std::unique_lock lock(s->mutex);
    for (;;) {
        s->work.wait(lock, [&] { return s->stopping || !s->queue.empty(); });
        if (s->queue.empty() || s->drop_queue) {
            break;
        }
        auto task = std::move(s->queue.front());
        s->queue.pop_front();
        lock.unlock();
        try {
            task();
        } catch (const std::exception& e) {
            spdlog::error("collector task failed: {}", e.what());
        }
        lock.lock();
    }
    --s->running_workers;
    s->exited.notify_all();
}

} // namespace

ThreadPool::ThreadPool(int threads) : state_(std::make_shared<State>()) {
    const int n = std::max(1, threads);
    state_->running_workers = n;
    for (int i = 0; i < n; ++i) {
        state_->workers.emplace_back([s = state_] { worker_loop(s); });
    }
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(state_->mutex);
        state_->stopping = true;
    }
    state_->work.notify_all();
    for (auto& t : state_->workers) {
        if (t.joinable()) {
            t.join();
        }
    }
}

void ThreadPool::submit(std::function<void()> task) {
    {
        std::lock_guard lock(state_->mutex);
        state_->queue.push_back(std::move(task));
    }
    state_->work.notify_one();
}

int ThreadPool::size() const {
    return static_cast<int>(state_->workers.size());
}

bool ThreadPool::shutdown(util::SteadyClock::time_point deadline) {
    std::unique_lock lock(state_->mutex);
    state_->stopping = true;
    state_->drop_queue = true;
    state_->queue.clear();
    state_->work.notify_all();
    const bool all_exited = state_->exited.wait_until(lock, deadline, [&] { return state_->running_workers == 0; });
    lock.unlock();
    for (auto& t : state_->workers) {
        if (t.joinable()) {
            all_exited ? t.join() : t.detach();
        }
    }
    return all_exited;
}

} // namespace pga::collect
