// The time budget of one collector run and the connections it uses. When the budget runs out the
// runner calls expire(): every enrolled connection's running query is cancelled (PQcancel) and
// no new connection can be borrowed, so the run ends promptly with an error.
#pragma once

#include "pga/pg/pool.hpp"
#include "pga/util/time.hpp"

#include <atomic>
#include <mutex>
#include <vector>

namespace pga::collect {

class RunBudget {
public:
    explicit RunBudget(util::SteadyClock::time_point deadline) : deadline_(deadline) {}
    RunBudget(const RunBudget&) = delete;
    RunBudget& operator=(const RunBudget&) = delete;

    util::SteadyClock::time_point deadline() const { return deadline_; }
    // Returns true once expire() was called or the deadline has passed.
    bool expired() const { return expired_ || util::SteadyClock::now() >= deadline_; }
    // Returns true when expire() was called (the run was cut short by the runner).
    bool was_expired() const { return expired_; }
    // Marks the budget spent and cancels the running query of every enrolled connection.
    void expire();
    // Registers conn for cancellation; throws pg::Error when the budget is already spent.
    void enroll(pg::Connection* conn);
    // Unregisters conn; after this returns, expire() no longer touches it.
    void withdraw(pg::Connection* conn);

private:
    util::SteadyClock::time_point deadline_;
    std::atomic<bool> expired_{false};
    std::mutex mutex_;
    std::vector<pg::Connection*> connections_;
};

// A pooled connection enrolled in a run's budget for as long as it is held.
class Borrowed {
public:
    // Takes lease; enrolls it in budget (may be null). Throws pg::Error when the budget is spent.
    Borrowed(pg::Lease lease, RunBudget* budget);
    ~Borrowed();
    Borrowed(Borrowed&& other) noexcept;
    Borrowed& operator=(Borrowed&&) = delete;
    Borrowed(const Borrowed&) = delete;
    Borrowed& operator=(const Borrowed&) = delete;

    pg::Connection& operator*() { return lease_.connection(); }
    pg::Connection* operator->() { return &lease_.connection(); }
    // Closes the connection instead of returning it to the pool (after a broken session).
    void discard() { lease_.discard(); }

private:
    pg::Lease lease_;
    RunBudget* budget_;
};

} // namespace pga::collect
