// The connection pool: one cap (`pool_max_size`) on connections across all monitored databases,
// `pool_min_size` kept warm, idle connections closed after `pool_idle_timeout`, broken
// connections detected on borrow and replaced, reconnects backed off per database.
#pragma once

#include "pga/pg/connection.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace pga::pg {

struct PoolOptions {
    int min_size = 2;
    int max_size = 10;
    std::chrono::seconds idle_timeout{300};
    std::chrono::milliseconds acquire_timeout{30000};
    std::chrono::milliseconds backoff_initial{1000}; // first reconnect delay after a failed attempt
    std::chrono::milliseconds backoff_max{60000};    // the delay doubles per failure up to this
    std::string warm_db{}; // the maintenance database, closed last at the cap (maintain() sets it too)
};

// Counters since the pool was created (acquisitions, reuses, created, failed are cumulative).
struct PoolStats {
    std::uint64_t acquisitions = 0;
    std::uint64_t reuses = 0; // borrows served by an existing connection
    std::uint64_t created = 0;
    std::uint64_t failed = 0; // connection attempts that failed
    std::uint64_t closed = 0;
    int active = 0;
    int idle = 0;
    int max_size = 0;
    int peak_active = 0; // most connections in use at once since the last take_peak_active()
};

class Pool;

// A borrowed connection; returned to the pool when destroyed (or dropped after discard()).
class Lease {
public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection& connection() { return *conn_; }
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }
    // Marks the connection as unusable: it is closed instead of returned.
    void discard() { discard_ = true; }
    explicit operator bool() const { return conn_ != nullptr; }

private:
    friend class Pool;
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    void release();
    Pool* pool_ = nullptr;
    std::unique_ptr<Connection> conn_;
    bool discard_ = false;
};

class Pool;

// Marks a database as being worked on by a run of several borrows one after the other (one
// database's collectors in one task): between two borrows its idle connection is the newest, and
// without the hold another borrower at the cap would close it for the next borrow to reopen.
class PoolHold {
public:
    PoolHold() = default;
    PoolHold(PoolHold&& other) noexcept;
    PoolHold& operator=(PoolHold&& other) noexcept;
    PoolHold(const PoolHold&) = delete;
    PoolHold& operator=(const PoolHold&) = delete;
    ~PoolHold();

private:
    friend class Pool;
    PoolHold(Pool* pool, std::string db) : pool_(pool), db_(std::move(db)) {}
    Pool* pool_ = nullptr;
    std::string db_;
};

class Pool {
public:
    // `base` holds everything but dbname; the pool sets dbname per borrow.
    Pool(ConnParams base, PoolOptions options);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // Borrows a connection to dbname, reusing an idle one when possible; waits while the cap is
    // reached. Throws pg::Error when it cannot connect or the wait exceeds acquire_timeout.
    Lease acquire(const std::string& dbname);
    // As acquire(dbname), but waits at most until deadline (or acquire_timeout, if sooner).
    Lease acquire(const std::string& dbname, std::chrono::steady_clock::time_point deadline);
    // Closes connections idle longer than idle_timeout (keeping min_size) and opens connections
    // to `warm_db` up to min_size.
    void maintain(const std::string& warm_db);
    // Closes every idle connection (active ones close when returned).
    void close_idle();
    // Holds db until the returned object is destroyed: at the cap, an idle connection to a held
    // database is closed to make room only when no other idle connection can be.
    PoolHold hold(const std::string& db);
    PoolStats stats() const;
    int max_size() const;
    // Returns the most connections in use at once since the previous call, and restarts the count.
    int take_peak_active();

private:
    friend class Lease;
    friend class PoolHold;
    void unhold(const std::string& db);
    void give_back(std::unique_ptr<Connection> conn, bool discard);
    Lease open_new(const std::string& dbname);
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace pga::pg
