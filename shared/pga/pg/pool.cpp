// The connection pool: see pool.hpp. One mutex guards the bookkeeping; connecting, health checks
// and closing happen outside it, with the slot reserved in `open` so the cap holds at all times.
#include "pga/pg/pool.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <spdlog/spdlog.h>
#include <utility>
#include <vector>

namespace pga::pg {

using Clock = std::chrono::steady_clock;

namespace {

struct Idle {
    std::unique_ptr<Connection> conn;
    Clock::time_point since;
};

struct Backoff {
    int failures = 0;
    Clock::time_point retry_at;
    std::string last_error;
};

} // namespace

struct Pool::State {
    ConnParams base;
    PoolOptions options;
    mutable std::mutex mutex;
    std::condition_variable returned;
    std::deque<Idle> idle; // oldest first
    int open = 0;          // connections in use, idle, or being opened
    int active = 0;
    int peak_active = 0;
    std::map<std::string, Backoff> backoff;
    PoolStats counters;
    std::map<std::string, int> held; // databases held by PoolHold, and by how many

    // Takes the most recently returned idle connection to db, or nullptr.
    std::unique_ptr<Connection> take_idle(const std::string& db) {
        for (auto it = idle.rbegin(); it != idle.rend(); ++it) {
            if (it->conn->database() == db) {
                auto conn = std::move(it->conn);
                idle.erase(std::next(it).base());
                return conn;
            }
        }
        return nullptr;
    }

    // Removes the oldest idle connection (of any database) and returns it for closing.
    std::unique_ptr<Connection> take_oldest_idle() {
        if (idle.empty()) {
            return nullptr;
        }
        auto conn = std::move(idle.front().conn);
        idle.pop_front();
        return conn;
    }

    // Removes an idle connection (of any database) for closing, the most recently returned of the
    // first kind there is:
    // 1. a second idle connection to one database: concurrent cluster-wide collectors leave
    //    several idle connections to the maintenance database, and closing one of those keeps a
    //    database's only connection (S2 in docs/benchmarks.md);
    // 2. any other, so at the cap, where the collection loop visits more databases than the pool
    //    holds in the same order every cycle, the older ones stay for the next cycle (closing the
    //    oldest would close exactly the one needed next: pga-bench, docs/benchmarks.md);
    // 3. the warm database's: the next cycle's probe and its cluster-wide types need it first,
    //    and closing it right after the probe returned it made them open it again in the same cycle;
    // 4. a held database's (see PoolHold), whose next borrow is coming.
    std::unique_ptr<Connection> take_newest_idle() {
        if (idle.empty()) {
            return nullptr;
        }
        const auto rank = [this](const std::string& db) {
            if (std::count_if(idle.begin(), idle.end(), [&db](const Idle& i) { return i.conn->database() == db; }) >
                1) {
                return 1;
            }
            if (held.count(db) != 0) {
                return 4;
            }
            return !options.warm_db.empty() && db == options.warm_db ? 3 : 2;
        };
        auto victim = idle.end();
        int best = 5;
        for (auto it = idle.end(); it != idle.begin();) {
            --it;
            const int r = rank(it->conn->database());
            if (r < best) {
                best = r;
                victim = it;
            }
        }
        auto conn = std::move(victim->conn);
        idle.erase(victim);
        return conn;
    }
    // Checks an idle connection taken for reuse outside the lock; returns true (counted as a reuse)
    // when it is healthy, else closes it. `conn` stays set only on success.
    bool check_out(std::unique_ptr<Connection>& conn, std::unique_lock<std::mutex>& lock) {
        lock.unlock();
        const bool ok = conn->healthy();
        if (!ok) {
            spdlog::debug("replacing a broken pooled connection to database \"{}\"", conn->database());
            conn.reset();
        }
        lock.lock();
        if (!ok) {
            mark_closed();
            return false;
        }
        mark_active();
        ++counters.reuses;
        return true;
    }

    void mark_active() {
        ++active;
        ++counters.acquisitions;
        peak_active = std::max(peak_active, active);
    }

    void mark_closed() {
        --open;
        ++counters.closed;
    }

    // Closes conns with the lock released and only then frees their slots: freed first, another
    // borrower could open a connection while these are still open, over the cap.
    void close_then_free(std::vector<std::unique_ptr<Connection>>& conns, std::unique_lock<std::mutex>& lock) {
        if (conns.empty()) {
            return;
        }
        const auto n = conns.size();
        lock.unlock();
        conns.clear();
        lock.lock();
        for (std::size_t i = 0; i < n; ++i) {
            mark_closed();
        }
    }

    // Throws when connections to db are backed off after recent failures.
    void check_backoff(const std::string& db) const {
        const auto it = backoff.find(db);
        if (it == backoff.end() || Clock::now() >= it->second.retry_at) {
            return;
        }
        const auto wait = std::chrono::ceil<std::chrono::seconds>(it->second.retry_at - Clock::now());
        throw Error(it->second.last_error + " (next attempt in " + std::to_string(wait.count()) + "s)");
    }

    void record_failure(const std::string& db, const std::string& message) {
        auto& b = backoff[db];
        ++b.failures;
        auto delay = options.backoff_initial;
        for (int i = 1; i < b.failures && delay < options.backoff_max; ++i) {
            delay *= 2;
        }
        b.retry_at = Clock::now() + std::min(delay, options.backoff_max);
        b.last_error = message;
        ++counters.failed;
    }

    ConnParams params_for(const std::string& db) const {
        ConnParams p = base;
        p.dbname = db;
        return p;
    }
};

Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)), discard_(other.discard_) {}

Lease& Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        release();
        pool_ = std::exchange(other.pool_, nullptr);
        conn_ = std::move(other.conn_);
        discard_ = other.discard_;
    }
    return *this;
}

Lease::~Lease() {
    release();
}

void Lease::release() {
    if (pool_ != nullptr && conn_) {
        pool_->give_back(std::move(conn_), discard_);
    }
    pool_ = nullptr;
    conn_.reset();
}

Pool::Pool(ConnParams base, PoolOptions options) : state_(std::make_unique<State>()) {
    state_->base = std::move(base);
    state_->options = options;
    state_->options.max_size = std::max(1, options.max_size);
    state_->options.min_size = std::clamp(options.min_size, 0, state_->options.max_size);
    state_->counters.max_size = state_->options.max_size;
}

Pool::~Pool() {
    close_idle();
}

Lease Pool::acquire(const std::string& dbname) {
    return acquire(dbname, Clock::now() + state_->options.acquire_timeout);
}

Lease Pool::acquire(const std::string& dbname, Clock::time_point deadline) {
    auto& s = *state_;
    const auto start = Clock::now();
    deadline = std::min(deadline, start + s.options.acquire_timeout);
    std::unique_lock lock(s.mutex);
    for (;;) {
        s.check_backoff(dbname);
        if (auto conn = s.take_idle(dbname)) {
            if (s.check_out(conn, lock)) {
                return Lease(this, std::move(conn));
            }
            continue;
        }
        if (s.open < s.options.max_size) {
            ++s.open;
            lock.unlock();
            return open_new(dbname);
        }
        if (auto other = s.take_newest_idle()) {
            // Closes the other database's idle connection to make room.
            std::vector<std::unique_ptr<Connection>> closing;
            closing.push_back(std::move(other));
            s.close_then_free(closing, lock);
            continue;
        }
        if (s.returned.wait_until(lock, deadline) == std::cv_status::timeout && Clock::now() >= deadline) {
            const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
            throw Error("failed to acquire connection from pool: all " + std::to_string(s.options.max_size) +
                        " connections are in use (waited " + std::to_string(waited.count()) + "ms)");
        }
    }
}

// Opens a connection in a slot already reserved in `open` (called without the lock held).
Lease Pool::open_new(const std::string& dbname) {
    auto& s = *state_;
    std::unique_ptr<Connection> conn;
    try {
        conn = std::make_unique<Connection>(s.params_for(dbname));
    } catch (const Error& e) {
        std::lock_guard lock(s.mutex);
        --s.open;
        s.record_failure(dbname, e.what());
        s.returned.notify_all();
        throw;
    }
    std::lock_guard lock(s.mutex);
    ++s.counters.created;
    s.backoff.erase(dbname);
    s.mark_active();
    return Lease(this, std::move(conn));
}

void Pool::give_back(std::unique_ptr<Connection> conn, bool discard) {
    auto& s = *state_;
    const bool keep = !discard && conn->healthy();
    if (!keep) {
        conn.reset();
    }
    std::lock_guard lock(s.mutex);
    --s.active;
    if (keep) {
        s.idle.push_back({std::move(conn), Clock::now()});
    } else {
        s.mark_closed();
    }
    s.returned.notify_all();
}

void Pool::maintain(const std::string& warm_db) {
    auto& s = *state_;
    std::vector<std::unique_ptr<Connection>> expired;
    std::unique_lock lock(s.mutex);
    s.options.warm_db = warm_db;
    const auto cutoff = Clock::now() - s.options.idle_timeout;
    while (!s.idle.empty() && s.idle.front().since < cutoff &&
           s.open - static_cast<int>(expired.size()) > s.options.min_size) {
        expired.push_back(s.take_oldest_idle());
    }
    s.close_then_free(expired, lock);
    while (s.open < s.options.min_size) {
        const auto b = s.backoff.find(warm_db);
        if (b != s.backoff.end() && Clock::now() < b->second.retry_at) {
            break;
        }
        ++s.open;
        lock.unlock();
        try {
            auto conn = std::make_unique<Connection>(s.params_for(warm_db));
            lock.lock();
            ++s.counters.created;
            s.backoff.erase(warm_db);
            s.idle.push_back({std::move(conn), Clock::now()});
        } catch (const Error& e) {
            lock.lock();
            --s.open;
            s.record_failure(warm_db, e.what());
            spdlog::debug("pool warm-up failed: {}", e.what());
            break;
        }
    }
    s.returned.notify_all();
}

void Pool::close_idle() {
    auto& s = *state_;
    std::vector<std::unique_ptr<Connection>> closing;
    std::unique_lock lock(s.mutex);
    while (auto conn = s.take_oldest_idle()) {
        closing.push_back(std::move(conn));
    }
    s.close_then_free(closing, lock);
    s.returned.notify_all();
}

PoolHold Pool::hold(const std::string& db) {
    std::lock_guard lock(state_->mutex);
    ++state_->held[db];
    return PoolHold(this, db);
}

void Pool::unhold(const std::string& db) {
    std::lock_guard lock(state_->mutex);
    const auto it = state_->held.find(db);
    if (it != state_->held.end() && --it->second <= 0) {
        state_->held.erase(it);
    }
}

PoolHold::PoolHold(PoolHold&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), db_(std::move(other.db_)) {}

PoolHold& PoolHold::operator=(PoolHold&& other) noexcept {
    if (this != &other) {
        if (pool_ != nullptr) {
            pool_->unhold(db_);
        }
        pool_ = std::exchange(other.pool_, nullptr);
        db_ = std::move(other.db_);
    }
    return *this;
}

PoolHold::~PoolHold() {
    if (pool_ != nullptr) {
        pool_->unhold(db_);
    }
}

PoolStats Pool::stats() const {
    std::lock_guard lock(state_->mutex);
    PoolStats out = state_->counters;
    out.active = state_->active;
    out.idle = static_cast<int>(state_->idle.size());
    out.peak_active = state_->peak_active;
    return out;
}

int Pool::max_size() const {
    return state_->options.max_size;
}

int Pool::take_peak_active() {
    std::lock_guard lock(state_->mutex);
    return std::exchange(state_->peak_active, state_->active);
}

} // namespace pga::pg
