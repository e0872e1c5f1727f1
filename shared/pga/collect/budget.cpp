// Run budgets and enrolled connections: see budget.hpp.
#include "pga/collect/budget.hpp"

#include <algorithm>

namespace pga::collect {

void RunBudget::expire() {
    std::lock_guard lock(mutex_);
    expired_ = true;
    for (auto* conn : connections_) {
        conn->cancel();
    }
}

void RunBudget::enroll(pg::Connection* conn) {
    std::lock_guard lock(mutex_);
    if (expired()) {
        throw pg::Error("time budget exhausted before the query could start");
    }
    connections_.push_back(conn);
}

void RunBudget::withdraw(pg::Connection* conn) {
    std::lock_guard lock(mutex_);
    connections_.erase(std::remove(connections_.begin(), connections_.end(), conn), connections_.end());
}

Borrowed::Borrowed(pg::Lease lease, RunBudget* budget) : lease_(std::move(lease)), budget_(budget) {
    if (budget_ != nullptr) {
        budget_->enroll(&lease_.connection());
    }
}

Borrowed::Borrowed(Borrowed&& other) noexcept
    : lease_(std::move(other.lease_)), budget_(std::exchange(other.budget_, nullptr)) {}

Borrowed::~Borrowed() {
    if (budget_ != nullptr && lease_) {
        budget_->withdraw(&lease_.connection());
    }
}

} // namespace pga::collect
