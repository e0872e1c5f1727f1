// The floor replay: see floor.hpp.
#include "pga/cli/bench/floor.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <set>
#include <spdlog/spdlog.h>
#include <thread>
#include <utility>

namespace pga::cli::bench {

void QueryRecorder::on_query(const std::string& database, std::string_view sql, const pg::Params& params) {
    std::lock_guard lock(mutex_);
    queries_.push_back({database, std::string(sql), params, std::this_thread::get_id()});
}

std::vector<RecordedQuery> QueryRecorder::take() {
    std::lock_guard lock(mutex_);
    return std::exchange(queries_, {});
}

namespace {

constexpr int k_connect_rounds_max = 40;

// One collector run as the floor sees it: consecutive queries of one worker thread on one database.
struct Run {
    std::string database;
    std::vector<const RecordedQuery*> queries;
};

std::vector<Run> split_runs(const std::vector<RecordedQuery>& queries) {
    std::vector<Run> runs;
    std::vector<std::pair<std::thread::id, std::size_t>> open; // thread -> its current run
    for (const auto& q : queries) {
        auto it = std::find_if(open.begin(), open.end(), [&](const auto& o) { return o.first == q.thread; });
        if (it == open.end() || runs[it->second].database != q.database) {
            runs.push_back({q.database, {}});
            if (it == open.end()) {
                open.emplace_back(q.thread, runs.size() - 1);
            } else {
                it->second = runs.size() - 1;
            }
            it = std::find_if(open.begin(), open.end(), [&](const auto& o) { return o.first == q.thread; });
        }
        runs[it->second].queries.push_back(&q);
    }
    return runs;
}

// The floor's connection budget, as bare as it gets: at most `cap` connections shared by the
// threads, an idle one to the same database reused, the newest idle one closed to make room.
class SharedConnections {
public:
    SharedConnections(const pg::ConnParams& base, std::size_t cap) : base_(base), cap_(std::max<std::size_t>(1, cap)) {}

    std::unique_ptr<pg::Connection> take(const std::string& db) {
        std::unique_lock lock(mutex_);
        for (;;) {
            for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
                if (it->first == db) {
                    auto conn = std::move(it->second);
                    idle_.erase(std::next(it).base());
                    return conn;
                }
            }
            if (open_ < cap_ || !idle_.empty()) {
                if (open_ >= cap_) {
                    idle_.pop_back(); // closes the newest idle connection of another database
                    --open_;
                }
                ++open_;
                lock.unlock();
                auto p = base_;
                p.dbname = db;
                try {
                    return std::make_unique<pg::Connection>(p);
                } catch (...) {
                    lock.lock();
                    --open_;
                    returned_.notify_one();
                    throw;
                }
            }
            returned_.wait(lock);
        }
    }

    void give(const std::string& db, std::unique_ptr<pg::Connection> conn) {
        std::lock_guard lock(mutex_);
        idle_.emplace_back(db, std::move(conn));
        returned_.notify_one();
    }

private:
    pg::ConnParams base_;
    std::size_t cap_;
    std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<std::pair<std::string, std::unique_ptr<pg::Connection>>> idle_;
    std::size_t open_ = 0;
};

// The p50 of one bare connection (connect, SELECT 1, close) over the databases in turn: every
// database twice and at least 20 samples, fewer when connecting fails (a round in which no
// database connects ends it; 0 when none ever does).
double connect_cost_ms(const std::set<std::string>& databases, const pg::ConnParams& base) {
    std::vector<double> connects;
    for (int round = 0; round < k_connect_rounds_max && (round < 2 || connects.size() < 20); ++round) {
        const auto before = connects.size();
        for (const auto& db : databases) {
            auto p = base;
            p.dbname = db;
            const auto t0 = std::chrono::steady_clock::now();
            try {
                pg::Connection conn(p);
                (void)conn.value("SELECT 1");
            } catch (const pg::Error&) {
                continue;
            }
            connects.push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        if (connects.size() == before) {
            break;
        }
    }
    return summarize(std::move(connects)).p50;
}

} // namespace

FloorResult measure_floor(const std::vector<RecordedQuery>& queries, const pg::ConnParams& base, int threads,
                          int pool_max_size, int repeats) {
    FloorResult result;
    result.queries = queries.size();
    const auto runs = split_runs(queries);
    std::set<std::string> databases;
    for (const auto& r : runs) {
        databases.insert(r.database);
    }
    result.databases = databases.size();
    result.connects_in_timing = databases.size() > static_cast<std::size_t>(pool_max_size);
    SharedConnections conns(base, static_cast<std::size_t>(std::max(1, pool_max_size)));
    std::atomic<std::size_t> errors{0};
    std::string first_error; // written only by the thread whose error was the replay's first
    const auto replay = [&] {
        std::atomic<std::size_t> next{0};
        std::vector<std::thread> workers;
        for (int t = 0; t < std::max(1, threads); ++t) {
            workers.emplace_back([&] {
                for (std::size_t i = next++; i < runs.size(); i = next++) {
                    const auto& run = runs[i];
                    try {
                        auto conn = conns.take(run.database);
                        for (const auto* q : run.queries) {
                            try {
                                (void)conn->query(q->sql, q->params);
                            } catch (const pg::Error& e) {
                                if (errors++ == 0) {
                                    first_error = std::string(e.what()) + " (on " + q->sql.substr(0, 80) + ")";
                                    spdlog::info("floor replay: {}", first_error);
                                }
                            }
                        }
                        conns.give(run.database, std::move(conn));
                    } catch (const pg::Error& e) {
                        if (errors++ == 0) {
                            first_error = e.what();
                            spdlog::info("floor replay: {}", first_error);
                        }
                    }
                }
            });
        }
        for (auto& w : workers) {
            w.join();
        }
    };
    result.connect_ms = connect_cost_ms(databases, base);
    replay(); // untimed: opens the connections a steady state keeps
    std::vector<double> wall;
    for (int r = 0; r < repeats; ++r) {
        errors = 0;
        first_error.clear();
        const auto t0 = std::chrono::steady_clock::now();
        replay();
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    result.errors = errors.load();
    result.first_error = first_error;
    result.wall_ms = summarize(std::move(wall));
    return result;
}

} // namespace pga::cli::bench
