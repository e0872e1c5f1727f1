// Unit tests of the collector thread pool.
#include "pga/collect/thread_pool.hpp"

#include <atomic>
#include <gtest/gtest.h>
#include <mutex>
#include <thread>
#include <vector>

using namespace pga;
using namespace std::chrono_literals;

TEST(ThreadPool, one_thread_runs_tasks_one_after_another_in_order) {
    std::vector<int> order;
    std::mutex m;
    std::atomic<int> running{0};
    std::atomic<int> max_running{0};
    {
        collect::ThreadPool pool(1);
        EXPECT_EQ(pool.size(), 1);
        for (int i = 0; i < 5; ++i) {
            pool.submit([&, i] {
                max_running = std::max(max_running.load(), ++running);
                std::this_thread::sleep_for(5ms);
                std::lock_guard lock(m);
                order.push_back(i);
                --running;
            });
        }
    }
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_EQ(max_running, 1);
}

TEST(ThreadPool, several_threads_run_tasks_concurrently) {
    std::atomic<int> running{0};
    std::atomic<int> max_running{0};
    {
        collect::ThreadPool pool(3);
        for (int i = 0; i < 3; ++i) {
            pool.submit([&] {
                max_running = std::max(max_running.load(), ++running);
                std::this_thread::sleep_for(100ms);
                --running;
            });
        }
    }
    EXPECT_GE(max_running, 2);
}

TEST(ThreadPool, shutdown_is_bounded_when_a_task_hangs) {
    auto release = std::make_shared<std::atomic<bool>>(false);
    collect::ThreadPool pool(1);
    pool.submit([release] {
        while (!*release) {
            std::this_thread::sleep_for(5ms);
        }
    });
    std::this_thread::sleep_for(20ms);
    const auto start = util::SteadyClock::now();
    EXPECT_FALSE(pool.shutdown(start + 100ms));
    EXPECT_LT(util::SteadyClock::now() - start, 1s);
    *release = true;
}
