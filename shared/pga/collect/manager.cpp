// The CollectorManager: scheduling and waiting (see manager.hpp); the objects each run yields are
// built in manager_output.cpp.
#include "pga/collect/manager.hpp"

#include "pga/collect/manager_internal.hpp"

#include <algorithm>
#include <ctime>
#include <spdlog/spdlog.h>
#include <utility>

namespace pga::collect {

using Clock = util::SteadyClock;
using std::chrono::milliseconds;

namespace {

config::MetricSettings settings_for(const config::Config& c, const CollectorInfo& info) {
    const auto it = c.metrics.find(std::string(info.name));
    if (it != c.metrics.end()) {
        return it->second;
    }
    return {info.default_enabled, info.default_interval_s, info.default_timeout_s};
}

std::string version_name(int version_num) {
    return std::to_string(version_num / 10000);
}

// Returns the CPU time the calling thread has used, in microseconds.
std::int64_t thread_cpu_us() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

} // namespace

CollectorManager::CollectorManager(int threads, std::span<const CollectorInfo> table)
    : pool_(std::make_unique<ThreadPool>(threads)), sync_(std::make_shared<Sync>()) {
    for (const auto& info : table) {
        auto e = std::make_unique<Entry>();
        e->info = &info;
        e->collector = info.make();
        entries_.push_back(std::move(e));
    }
    spdlog::info("CollectorManager thread pool initialized with {} threads", pool_->size());
}

CollectorManager::~CollectorManager() = default;

int CollectorManager::threads() const {
    return pool_->size();
}

void CollectorManager::set_threads(int threads) {
    if (threads != pool_->size()) {
        auto old = std::exchange(pool_, std::make_unique<ThreadPool>(threads));
        old->shutdown(Clock::now() + k_grace); // between cycles only an abandoned run can still be there
        spdlog::info("CollectorManager thread pool initialized with {} threads", pool_->size());
    }
}

bool CollectorManager::shutdown(Clock::time_point deadline) {
    return pool_->shutdown(deadline);
}

bool CollectorManager::due(Entry& e, const CycleInput& in) const {
    const auto settings = settings_for(*in.config, *e.info);
    if (!settings.enabled) {
        return false;
    }
    if (!e.last_tick) {
        return true;
    }
    const auto interval = std::chrono::duration_cast<milliseconds>(std::chrono::seconds(settings.interval_s));
    const auto tolerance = std::min(milliseconds(500), interval / 4);
    return in.tick - *e.last_tick + tolerance >= interval;
}

CycleOutput CollectorManager::run_cycle(const CycleInput& in, const std::atomic<bool>* stop) {
    const auto start = Clock::now();
    CycleOutput out;
    const auto slots = schedule(in, out);
    auto hard_deadline = start + k_grace;
    for (const auto& s : slots) {
        hard_deadline += s->timeout;
    }
    submit(slots, in.databases.size(), in.pool ? in.pool->max_size() : 0);
    wait(slots, stop, hard_deadline);
    out.abandoned = stop != nullptr && stop->load();
    assemble(slots, in, out);
    out.duration_ms = util::elapsed_ms(start);
    spdlog::info("Parallel collection completed in {}ms", out.duration_ms);
    return out;
}

std::vector<std::shared_ptr<CollectorManager::Slot>> CollectorManager::schedule(const CycleInput& in,
                                                                                CycleOutput& out) {
    std::vector<std::shared_ptr<Slot>> slots;
    const auto timestamp = util::rfc3339_utc(in.timestamp);
    for (auto& e : entries_) {
        if (!due(*e, in)) {
            continue;
        }
        e->last_tick = in.tick;
        RunReport report;
        report.type = std::string(e->info->name);
        const auto min_version = e->info->min_server_version;
        if (in.server_version > 0 && in.server_version < min_version) {
            report.status = "unavailable";
            report.reason = "needs PostgreSQL " + version_name(min_version);
            out.metrics.push_back(unavailable_object(e->info->name, timestamp, report.reason));
            out.reports.push_back(std::move(report));
            continue;
        }
        if (e->in_flight->load() > 0) {
            const std::string message = "the previous run has not finished yet";
            report.status = "error";
            report.errors.push_back({"", message});
            out.metrics.push_back(error_object(e->info->name, timestamp, "", message));
            out.reports.push_back(std::move(report));
            continue;
        }
        out.reports.push_back(std::move(report));
        add_slots(*e, in, slots);
    }
    return slots;
}

void CollectorManager::add_slots(Entry& e, const CycleInput& in, std::vector<std::shared_ptr<Slot>>& slots) {
    const auto settings = settings_for(*in.config, *e.info);
    const auto add = [&](const std::string& db, std::vector<std::string> dbs) {
        auto s = std::make_shared<Slot>();
        s->entry = &e;
        s->database = db;
        s->databases = std::move(dbs);
        s->config = in.config;
        s->pool = in.pool;
        s->server_version = in.server_version;
        s->timestamp = in.timestamp;
        s->timeout = std::chrono::seconds(settings.timeout_s);
        slots.push_back(std::move(s));
    };
    if (e.collector->per_database()) {
        for (const auto& db : in.databases) {
            add(db, {db});
        }
    } else {
        add("", in.databases);
    }
}

// One queued run with what it needs to outlive the manager (an abandoned run may finish late).
struct CollectorManager::Queued {
    std::shared_ptr<Slot> slot;
    std::shared_ptr<Collector> collector;
    std::shared_ptr<std::atomic<int>> in_flight;
    // The runs of its cycle not done yet (guarded by Sync::mutex): the runner is woken when the
    // last one is done, not after each run (it wakes on its own for deadlines).
    std::shared_ptr<std::size_t> pending;
};

// Marks q's slot done (Sync::mutex held) and wakes the runner when it was its cycle's last.
void CollectorManager::settle(const Queued& q, const std::shared_ptr<Sync>& sync) {
    q.slot->done = true;
    --*q.in_flight;
    if (--*q.pending == 0) {
        sync->changed.notify_all();
    }
}

std::int64_t CollectorManager::run_queued(const Queued& q, const std::shared_ptr<Sync>& sync, std::int64_t cpu_start) {
    const auto& slot = q.slot;
    {
        std::lock_guard lock(sync->mutex);
        if (slot->abandoned) {
            settle(q, sync);
            return cpu_start;
        }
        slot->started = true;
        slot->budget = std::make_unique<RunBudget>(Clock::now() + slot->timeout);
    }
    const auto start = Clock::now();
    Context ctx{*slot->config,        *slot->pool,     slot->databases,
                slot->server_version, slot->timestamp, slot->budget->deadline(),
                slot->budget.get()};
    Output result;
    std::string failure;
    try {
        q.collector->collect(ctx, result);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    const bool overran = slot->budget->expired(); // it may end by its deadline before the runner expires it
    std::vector<Metric> texts;
    try { // the slot must be settled whatever happens here, or the cycle would wait for it
        texts = ok_objects(slot->entry->info->name, slot->timestamp, slot->database, result);
    } catch (const std::exception& e) {
        texts.clear();
        failure += (failure.empty() ? "" : "; ") + std::string("metric objects left out: ") + e.what();
    }
    std::lock_guard lock(sync->mutex);
    slot->out = std::move(result);
    slot->texts = std::move(texts);
    slot->overran = overran;
    slot->failure = std::move(failure);
    const auto wall = Clock::now() - start;
    slot->duration_ms = std::chrono::duration_cast<milliseconds>(wall).count();
    slot->wall_us = std::chrono::duration_cast<std::chrono::microseconds>(wall).count();
    const auto cpu_end = thread_cpu_us();
    slot->cpu_us = cpu_end - cpu_start;
    settle(q, sync);
    return cpu_end;
}

void CollectorManager::submit(const std::vector<std::shared_ptr<Slot>>& slots, std::size_t databases,
                              int pool_max_size) {
    const auto pending = std::make_shared<std::size_t>(slots.size());
    const auto queued = [&](const std::shared_ptr<Slot>& s) {
        ++*s->entry->in_flight;
        return Queued{s, s->entry->collector, s->entry->in_flight, pending};
    };
    // With at least as many databases as workers there is parallelism enough across databases:
    // one task per database runs its per-database types one after the other, so they reuse one
    // pooled connection instead of opening one per type (a pool smaller than the database count
    // would otherwise churn through connections every cycle). When the pool cannot also hold one
    // connection per worker beside one per database, the cluster-wide types share one task too,
    // queued first: run side by side they held up to one maintenance-database connection per
    // worker, pushing monitored databases' connections out of the pool (S2 in docs/benchmarks.md).
    // Each task holds its database in the pool while it runs (pg::PoolHold).
    const auto workers = static_cast<std::size_t>(pool_->size());
    const bool bundle = databases > 1 && databases >= workers;
    const bool share_cluster_wide =
        bundle && databases + workers > static_cast<std::size_t>(std::max(0, pool_max_size));
    std::vector<std::pair<std::string, std::vector<Queued>>> bundles;
    if (share_cluster_wide) {
        bundles.emplace_back("", std::vector<Queued>{});
    }
    for (const auto& s : slots) { // unbundled runs are queued here, before any bundle
        if (!bundle || (s->database.empty() && !share_cluster_wide)) {
            pool_->submit([q = queued(s), sync = sync_] { run_queued(q, sync, thread_cpu_us()); });
            continue;
        }
        auto it = std::find_if(bundles.begin(), bundles.end(), [&](const auto& b) { return b.first == s->database; });
        if (it == bundles.end()) {
            it = bundles.insert(bundles.end(), {s->database, {}});
        }
        it->second.push_back(queued(s));
    }
    for (auto& b : bundles) {
        if (b.second.empty()) {
            continue;
        }
        pool_->submit([runs = std::move(b.second), sync = sync_] {
            // The database stays held while its runs go one after the other, so another task at the
            // pool's cap does not close its connection between two of them (the cluster-wide task
            // holds the maintenance database its runs borrow).
            const auto& first = *runs.front().slot;
            pg::PoolHold hold;
            if (first.pool) {
                hold = first.pool->hold(first.database.empty() ? first.config->postgresql.database : first.database);
            }
            auto cpu = thread_cpu_us();
            for (const auto& q : runs) {
                cpu = run_queued(q, sync, cpu);
            }
        });
    }
}

void CollectorManager::wait(const std::vector<std::shared_ptr<Slot>>& slots, const std::atomic<bool>* stop,
                            Clock::time_point hard_deadline) {
    std::unique_lock lock(sync_->mutex);
    for (;;) {
        const auto now = Clock::now();
        const bool stopping = stop != nullptr && stop->load();
        bool settled = true;
        auto wake = std::min(hard_deadline, now + milliseconds(200));
        for (const auto& s : slots) {
            if (s->done || s->abandoned) {
                continue;
            }
            if (!s->started) {
                s->abandoned = stopping || now >= hard_deadline;
                settled = settled && s->abandoned;
                continue;
            }
            if (!s->expired_at && (stopping || now >= s->budget->deadline())) {
                s->budget->expire();
                s->expired_at = now;
            }
            if (s->expired_at && now >= *s->expired_at + k_grace) {
                s->abandoned = true;
                continue;
            }
            wake = std::min(wake, s->expired_at ? *s->expired_at + k_grace : s->budget->deadline());
            settled = false;
        }
        if (settled) {
            return;
        }
        sync_->changed.wait_until(lock, wake);
    }
}

void CollectorManager::assemble(const std::vector<std::shared_ptr<Slot>>& slots, const CycleInput& in,
                                CycleOutput& out) {
    std::lock_guard lock(sync_->mutex);
    for (const auto& s : slots) {
        for (auto& report : out.reports) {
            if (report.type == s->entry->info->name) {
                slot_output(*s, in, out.metrics, report);
            }
        }
    }
    for (auto& e : entries_) {
        for (const auto& report : out.reports) {
            if (report.type != e->info->name) {
                continue;
            }
            if (report.status == "unavailable" && report.reason != e->last_unavailable) {
                spdlog::warn("{} is unavailable: {}", report.type, report.reason);
            }
            e->last_unavailable = report.status == "unavailable" ? report.reason : "";
        }
    }
}

} // namespace pga::collect
