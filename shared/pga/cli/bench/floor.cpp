// The floor replay: see floor.hpp.
#include "pga/cli/bench/floor.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>
#include <utility>

namespace pga::cli::bench {

void QueryRecorder::on_query(const std::string& database, std::string_view sql, const pg::Params& params) {
    std::lock_guard lock(mutex_);
    queries_.push_back({database, std::string(sql), params});
}

std::vector<RecordedQuery> QueryRecorder::take() {
    std::lock_guard lock(mutex_);
    return std::exchange(queries_, {});
}

namespace {

struct Lane {
    std::vector<std::string> databases;
    std::vector<std::unique_ptr<pg::Connection>> open; // pre-opened, parallel to databases
};

} // namespace

FloorResult measure_floor(const std::vector<RecordedQuery>& queries, const pg::ConnParams& base, int threads,
                          int pool_max_size, int repeats) {
    FloorResult result;
    result.queries = queries.size();
    std::map<std::string, std::vector<const RecordedQuery*>> by_db;
    std::vector<std::string> order;
    for (const auto& q : queries) {
        auto [it, inserted] = by_db.try_emplace(q.database);
        if (inserted) {
            order.push_back(q.database);
        }
        it->second.push_back(&q);
    }
    result.databases = order.size();
    result.connects_in_timing = static_cast<int>(order.size()) > pool_max_size;
    const int lanes_n = std::max(1, std::min(threads, pool_max_size));
    std::vector<Lane> lanes(static_cast<std::size_t>(lanes_n));
    for (std::size_t i = 0; i < order.size(); ++i) {
        lanes[i % lanes.size()].databases.push_back(order[i]);
    }
    const auto connect = [&](const std::string& db) {
        auto p = base;
        p.dbname = db;
        return std::make_unique<pg::Connection>(p);
    };
    if (!result.connects_in_timing) {
        for (auto& lane : lanes) {
            for (const auto& db : lane.databases) {
                lane.open.push_back(connect(db));
            }
        }
    }
    std::atomic<std::size_t> errors{0};
    std::vector<double> wall;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<std::thread> workers;
        for (auto& lane : lanes) {
            workers.emplace_back([&, lane_ptr = &lane] {
                for (std::size_t d = 0; d < lane_ptr->databases.size(); ++d) {
                    try {
                        std::unique_ptr<pg::Connection> fresh;
                        pg::Connection* conn = nullptr;
                        if (result.connects_in_timing) {
                            fresh = connect(lane_ptr->databases[d]);
                            conn = fresh.get();
                        } else {
                            conn = lane_ptr->open[d].get();
                        }
                        for (const auto* q : std::as_const(by_db).at(lane_ptr->databases[d])) {
                            try {
                                (void)conn->query(q->sql, q->params);
                            } catch (const pg::Error&) {
                                ++errors;
                            }
                        }
                    } catch (const pg::Error&) {
                        ++errors;
                    }
                }
            });
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
