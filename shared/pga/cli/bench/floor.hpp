// The floor of a cycle: the same SQL one collection cycle ran (recorded through the
// pg::QueryObserver), replayed by the thinnest possible client with the same number of threads
// and no more connections than the pool may hold. No JSON, no collectors, no pool: the physical
// limit for this work, against which pga-bench states its overhead.
#pragma once

#include "pga/cli/bench/summary.hpp"
#include "pga/pg/connection.hpp"
#include "pga/pg/trace.hpp"

#include <mutex>
#include <thread>
#include <vector>

namespace pga::cli::bench {

struct RecordedQuery {
    std::string database;
    std::string sql;
    pg::Params params;
    std::thread::id thread; // the worker that ran it: consecutive queries of a thread form one run
};

// Records every query while installed (thread-safe).
class QueryRecorder final : public pg::QueryObserver {
public:
    void on_query(const std::string& database, std::string_view sql, const pg::Params& params) override;
    std::vector<RecordedQuery> take();

private:
    std::mutex mutex_;
    std::vector<RecordedQuery> queries_;
};

struct FloorResult {
    Summary wall_ms;
    std::size_t queries = 0;
    std::size_t databases = 0;
    bool connects_in_timing = false; // more databases than pool_max_size: connecting is part of the work
    std::size_t errors = 0;          // statements or connections that failed in the last replay
    std::string first_error;         // the first of them, with the statement's start (the cycle may fail it too)
    // One bare connection (connect, SELECT 1, close), p50 over the recorded databases in turn: the
    // price of each connection a cycle opens, whoever the client is.
    double connect_ms = 0;
};

// Replays queries `repeats` times after one untimed replay and returns the wall time of each
// (errors of the last). The recorded collector runs (consecutive queries of one worker on one
// database) are taken by `threads` threads in recorded order, each run's queries in their order,
// on at most pool_max_size shared connections (an idle one to the same database reused, the newest
// idle one closed to make room): the pool's budget without the pool, the collectors or the JSON.
FloorResult measure_floor(const std::vector<RecordedQuery>& queries, const pg::ConnParams& base, int threads,
                          int pool_max_size, int repeats);

} // namespace pga::cli::bench
