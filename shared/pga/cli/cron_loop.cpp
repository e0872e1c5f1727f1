// The collection loop: see cron_loop.hpp.
#include "pga/cli/cron_loop.hpp"

#include "pga/cli/common.hpp"
#include "pga/cli/service_notify.hpp"
#include "pga/exporter/self_metrics.hpp"
#include "pga/log/log.hpp"
#include "pga/util/process.hpp"
#include "pga/util/uuid.hpp"

#include <spdlog/spdlog.h>
#include <sstream>

namespace pga::cli {

using Clock = util::SteadyClock;
using std::chrono::seconds;

pg::ConnParams conn_params(const config::Config& config) {
    const auto& pg = config.postgresql;
    pg::ConnParams p;
    p.host = pg.host;
    p.port = std::to_string(pg.port);
    p.user = pg.user;
    p.password = pg.password;
    p.sslmode = pg.sslmode;
    p.connect_timeout_s = static_cast<int>(pg.connect_timeout_s);
    p.statement_timeout_ms = static_cast<int>(pg.statement_timeout_ms);
    p.lock_timeout_ms = static_cast<int>(pg.lock_timeout_ms);
    return p;
}

pg::PoolOptions pool_options(const config::Config& config) {
    const auto& pg = config.postgresql;
    pg::PoolOptions o;
    o.min_size = static_cast<int>(pg.pool_min_size);
    o.max_size = static_cast<int>(pg.pool_max_size);
    o.idle_timeout = seconds(pg.pool_idle_timeout_s);
    o.warm_db = pg.database; // the probe's and the cluster-wide types' database, from the first cycle
    return o;
}

namespace {

bool same_connections(const config::Config& a, const config::Config& b) {
    const auto& x = a.postgresql;
    const auto& y = b.postgresql;
    return x.host == y.host && x.port == y.port && x.user == y.user && x.password.reveal() == y.password.reveal() &&
           x.sslmode == y.sslmode && x.connect_timeout_s == y.connect_timeout_s &&
           x.statement_timeout_ms == y.statement_timeout_ms && x.lock_timeout_ms == y.lock_timeout_ms &&
           x.pool_min_size == y.pool_min_size && x.pool_max_size == y.pool_max_size &&
           x.pool_idle_timeout_s == y.pool_idle_timeout_s;
}

void log_diagnostics(const std::string& text, bool as_errors) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        as_errors ? spdlog::error("{}", line) : spdlog::warn("{}", line);
    }
}

} // namespace

CronLoop::CronLoop(std::shared_ptr<const config::Config> config, collect::BatchSink& sink, LoopSettings settings,
                   LoopControl& control)
    : config_(std::move(config)), sink_(sink), settings_(std::move(settings)), control_(control),
      pool_(std::make_shared<pg::Pool>(conn_params(*config_), pool_options(*config_))),
      manager_(std::make_unique<collect::CollectorManager>(static_cast<int>(config_->threading.thread_pool_size))),
      sequence_(std::in_place, config_->collector.state_dir, settings_.write_state) {
    status_.started_at = util::rfc3339_utc(util::SystemClock::now());
    last_usage_at_ = Clock::now();
}

CronLoop::~CronLoop() = default;

bool CronLoop::run() {
    const auto& c = config_->collector;
    spdlog::info("Starting collection loop (collect every {}s, push every {}s, config pull every {}s)", c.interval_s,
                 c.push_interval_s, c.config_pull_interval_s);
    notify_ready();
    auto tick = Clock::now();
    next_push_ = tick;
    while (!control_.stop_requested()) {
        if (control_.take_reload()) {
            reload();
        }
        apply_offered();
        cycle(tick);
        if (settings_.once) {
            break;
        }
        const auto interval = seconds(config_->collector.interval_s);
        tick += interval;
        if (const auto now = Clock::now(); tick <= now) {
            const auto missed = static_cast<std::uint64_t>((now - tick) / interval) + 1;
            tick += missed * interval;
            status_.skipped_ticks += missed;
            spdlog::warn("collection cycle overran the {}s interval: skipping {} tick(s)", interval.count(), missed);
        }
        wait_for_tick(tick);
    }
    notify_stopping();
    if (settings_.once) {
        sink_.push_due();
    }
    sink_.shutdown(Clock::now() + seconds(10));
    return manager_->shutdown(Clock::now() + seconds(2));
}

void CronLoop::wait_for_tick(Clock::time_point tick) {
    while (!control_.stop_requested()) {
        if (control_.take_reload()) {
            reload();
        }
        const auto now = Clock::now();
        if (now >= next_push_) {
            try {
                sink_.push_due();
            } catch (const std::exception& e) {
                spdlog::error("push failed: {}", e.what());
            }
            while (next_push_ <= now) {
                next_push_ += seconds(config_->collector.push_interval_s);
            }
        }
        notify_watchdog();
        if (now >= tick) {
            return;
        }
        auto wake = std::min(tick, next_push_);
        if (const auto ping = watchdog_ping_interval()) {
            wake = std::min(wake, now + std::chrono::duration_cast<Clock::duration>(*ping));
        }
        control_.wait_until(wake);
    }
}

int CronLoop::probe_server(std::vector<std::string>& databases) {
    int version = 0;
    try {
        auto lease = pool_->acquire(config_->postgresql.database);
        version = lease->server_version();
        if (databases_.discovery_due(*config_, Clock::now())) {
            databases_.discovered(collect::list_databases(*lease), Clock::now());
        }
    } catch (const pg::Error& e) {
        spdlog::error("cannot reach PostgreSQL: {}", e.what());
    }
    databases = databases_.current(*config_);
    return version;
}

namespace {

// The configuration the collectors see: in a dry run without state_dir, so what they keep there
// (pg_log's position) is neither read nor written and the service later reads what it would have.
std::shared_ptr<const config::Config> collectors_config(const std::shared_ptr<const config::Config>& config,
                                                        bool write_state) {
    if (write_state || config->collector.state_dir.empty()) {
        return config;
    }
    auto copy = std::make_shared<config::Config>(*config);
    copy->collector.state_dir.clear();
    return copy;
}

} // namespace

void CronLoop::cycle(Clock::time_point tick) {
    spdlog::info("Collecting metrics...");
    const auto started = util::SystemClock::now();
    collect::CycleInput in{collectors_config(config_, settings_.write_state), pool_, {}, 0, started, tick};
    in.server_version = probe_server(in.databases);
    auto out = manager_->run_cycle(in, &control_.stop_flag());
    if (out.abandoned) {
        spdlog::warn("collection cycle abandoned: stopping");
        return;
    }
    out.metrics.push_back(exporter::collector_stats_object(out, pool_->stats(), started)); // cycle time, pool
    collect::Batch batch{util::uuid_v4(), 0, started, std::move(out.metrics)};
    try {
        batch.sequence = sequence_->next();
    } catch (const std::exception& e) {
        batch.sequence = sequence_->last();
        spdlog::error("cannot persist the batch sequence: {}", e.what());
    }
    status_.cycle_started_at = util::rfc3339_utc(started);
    status_.batch_id = batch.batch_id;
    status_.sequence = batch.sequence;
    status_.metrics_count = batch.metrics.size();
    try {
        sink_.accept(std::move(batch));
    } catch (const std::exception& e) {
        spdlog::error("cannot hand the batch to delivery: {}", e.what());
    }
    pool_->maintain(config_->postgresql.database);
    const auto pool = pool_->stats();
    spdlog::info("Pool metrics - acquisitions: {}, reuses: {}, active: {}/{}", pool.acquisitions, pool.reuses,
                 pool_->take_peak_active(), pool.max_size);
    finish_cycle(out);
}

void CronLoop::finish_cycle(const collect::CycleOutput& out) {
    const auto now = util::SystemClock::now();
    status_.cycle_finished_at = util::rfc3339_utc(now);
    status_.cycle_duration_ms = out.duration_ms;
    ++status_.cycles;
    status_.record(out.reports, status_.cycle_started_at);
    status_.pool = pool_->stats();
    status_.delivery = sink_.status();
    const auto usage = util::process_usage();
    const double cpu_s = usage.cpu_user_s + usage.cpu_system_s;
    const double wall_s = std::chrono::duration<double>(Clock::now() - last_usage_at_).count();
    status_.cpu_percent = wall_s > 0 ? (cpu_s - last_cpu_s_) * 100.0 / wall_s : 0.0;
    last_cpu_s_ = cpu_s;
    last_usage_at_ = Clock::now();
    if (!settings_.write_state) {
        return;
    }
    try {
        state::write_status(config_->collector.state_dir, status_);
    } catch (const std::exception& e) {
        spdlog::error("cannot write the status file: {}", e.what());
    }
}

void CronLoop::reload() {
    log::reopen();
    std::ostringstream diagnostics;
    auto loaded = load_config(settings_.config_path, diagnostics);
    log_diagnostics(diagnostics.str(), !loaded);
    if (!loaded) {
        spdlog::error("configuration reload failed: keeping the previous configuration");
        return;
    }
    apply(std::make_shared<const config::Config>(std::move(*loaded)));
    spdlog::info("configuration reloaded from {}", settings_.config_path);
}

void CronLoop::apply_offered() {
    if (auto next = control_.take_config()) {
        apply(std::move(next));
        spdlog::info("configuration pulled from the backend applied");
    }
}

void CronLoop::apply(std::shared_ptr<const config::Config> next) {
    if (!same_connections(*config_, *next)) {
        pool_->close_idle();
        pool_ = std::make_shared<pg::Pool>(conn_params(*next), pool_options(*next));
    }
    manager_->set_threads(static_cast<int>(next->threading.thread_pool_size));
    if (next->postgresql.databases != config_->postgresql.databases) {
        databases_.reset();
    }
    const auto& c = next->collector;
    if (c.log_file != config_->collector.log_file) {
        log::setup({c.log_file, settings_.log_level.empty() ? c.log_level : settings_.log_level, true});
    } else {
        log::set_level(settings_.log_level.empty() ? c.log_level : settings_.log_level);
    }
    config_ = std::move(next);
}

} // namespace pga::cli
