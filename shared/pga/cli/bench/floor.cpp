// The floor replay: see floor.hpp.
#include "pga/cli/bench/floor.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <list>
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

// A lane's connections, at most `cap`, least recently used closed first.
class LaneConnections {
public:
    LaneConnections(const pg::ConnParams& base, std::size_t cap) : base_(base), cap_(std::max<std::size_t>(1, cap)) {}
    pg::Connection& get(const std::string& db) {
        for (auto it = conns_.begin(); it != conns_.end(); ++it) {
            if (it->first == db) {
                conns_.splice(conns_.begin(), conns_, it);
                return *conns_.front().second;
            }
        }
        if (conns_.size() >= cap_) {
            conns_.pop_back();
        }
        auto p = base_;
        p.dbname = db;
        conns_.emplace_front(db, std::make_unique<pg::Connection>(p));
        return *conns_.front().second;
    }

private:
    pg::ConnParams base_;
    std::size_t cap_;
    std::list<std::pair<std::string, std::unique_ptr<pg::Connection>>> conns_;
};

} // namespace

FloorResult measure_floor(const std::vector<RecordedQuery>& queries, const pg::ConnParams& base, int threads,
                          int pool_max_size, int repeats) {
    FloorResult result;
    result.queries = queries.size();
    const auto runs = split_runs(queries);
    const std::size_t lanes_n = static_cast<std::size_t>(std::max(1, std::min(threads, pool_max_size)));
    std::vector<std::vector<const Run*>> lanes(lanes_n);
    std::set<std::string> databases;
    std::set<std::pair<std::size_t, std::string>> pairs; // (lane, database) connections a lane would keep
    for (std::size_t i = 0; i < runs.size(); ++i) {
        lanes[i % lanes_n].push_back(&runs[i]);
        databases.insert(runs[i].database);
        pairs.emplace(i % lanes_n, runs[i].database);
    }
    result.databases = databases.size();
    result.connects_in_timing = pairs.size() > static_cast<std::size_t>(pool_max_size);
    const std::size_t per_lane = result.connects_in_timing ? static_cast<std::size_t>(pool_max_size) / lanes_n
                                                           : static_cast<std::size_t>(pool_max_size);
    std::vector<LaneConnections> conns;
    for (std::size_t l = 0; l < lanes_n; ++l) {
        conns.emplace_back(base, per_lane);
    }
    std::atomic<std::size_t> errors{0};
    const auto replay = [&](std::size_t lane) {
        for (const Run* run : lanes[lane]) {
            try {
                auto& conn = conns[lane].get(run->database);
                for (const auto* q : run->queries) {
                    try {
                        (void)conn.query(q->sql, q->params);
                    } catch (const pg::Error& e) {
                        if (errors++ == 0) {
                            spdlog::info("floor replay: {} (on {})", e.what(), q->sql.substr(0, 80));
                        }
                    }
                }
            } catch (const pg::Error& e) {
                if (errors++ == 0) {
                    spdlog::info("floor replay: {}", e.what());
                }
            }
        }
    };
    if (!result.connects_in_timing) {
        for (std::size_t l = 0; l < lanes_n; ++l) { // open the connections before timing
            for (const Run* run : lanes[l]) {
                (void)conns[l].get(run->database);
            }
        }
    }
    std::vector<double> wall;
    for (int r = 0; r < repeats; ++r) {
        errors = 0;
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<std::thread> workers;
        for (std::size_t l = 0; l < lanes_n; ++l) {
            workers.emplace_back(replay, l);
        }
        for (auto& w : workers) {
            w.join();
        }
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    result.errors = errors.load();
    result.wall_ms = summarize(std::move(wall));
    return result;
}

} // namespace pga::cli::bench
