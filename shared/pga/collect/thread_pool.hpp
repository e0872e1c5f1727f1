// A fixed set of worker threads running submitted tasks in order of submission. With one worker
// the tasks run one after another (sequential collection), still off the caller's thread so the
// caller can enforce time budgets while they run.
#pragma once

#include "pga/util/time.hpp"

#include <functional>
#include <memory>

namespace pga::collect {

class ThreadPool {
public:
    // Starts `threads` workers (at least one).
    explicit ThreadPool(int threads);
    // Runs the queued tasks, then joins the workers (see shutdown() for a bounded stop).
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    // Queues task; it runs on a worker. A task must not throw (exceptions are logged and dropped).
    void submit(std::function<void()> task);
    // Returns the number of workers.
    int size() const;
    // Drops queued tasks and waits for running ones until deadline. Returns false when a task was
    // still running then (its worker is detached and finishes on its own).
    bool shutdown(util::SteadyClock::time_point deadline);

    struct State; // shared with the workers (thread_pool.cpp)

private:
    std::shared_ptr<State> state_;
};

} // namespace pga::collect
