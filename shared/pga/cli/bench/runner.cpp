// The pga-bench measuring loop: see runner.hpp.
#include "pga/cli/bench/runner.hpp"

#include "pga/cli/cron_loop.hpp"
#include "pga/collect/databases.hpp"
#include "pga/collect/envelope.hpp"
#include "pga/collect/manager.hpp"
#include "pga/deliver/envelope.hpp"
#include "pga/exporter/self_metrics.hpp"
#include "pga/util/files.hpp"
#include "pga/util/process.hpp"
#include "pga/util/uuid.hpp"
#include "pga/version.hpp"

#include <fstream>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <sys/resource.h>
#include <thread>

namespace pga::cli::bench {

namespace {

using Clock = util::SteadyClock;

double cpu_ms_now() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    const auto ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
    };
    return ms(u.ru_utime) + ms(u.ru_stime);
}

// Restarts the kernel's peak-RSS count (VmHWM) so set-up work before the cycles does not count.
void reset_peak_rss() {
    std::ofstream("/proc/self/clear_refs") << "5";
}

// Returns the total execution time pg_stat_statements has recorded for the connected role, or
// nullopt when the extension is not installed in that database or not readable.
std::optional<double> role_exec_ms(pg::Pool& pool, const std::string& db) {
    try {
        auto lease = pool.acquire(db);
        const auto schema = lease->value("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = "
                                         "e.extnamespace WHERE e.extname = 'pg_stat_statements'");
        if (!schema) {
            return std::nullopt;
        }
        const auto total =
            lease->value("SELECT coalesce(sum(total_exec_time), 0) FROM " + lease->quote_identifier(*schema) +
                         ".pg_stat_statements WHERE userid = (SELECT oid FROM pg_roles "
                         "WHERE rolname = current_user)");
        return total ? std::optional<double>(std::stod(*total)) : std::nullopt;
    } catch (const std::exception& e) {
        spdlog::debug("pg_stat_statements time not available: {}", e.what());
        return std::nullopt;
    }
}

std::map<std::string, TypeSample> type_samples(const collect::CycleOutput& out) {
    std::map<std::string, TypeSample> types;
    for (const auto& r : out.reports) {
        auto& t = types[r.type];
        t.status = r.status;
        t.wall_ms = static_cast<double>(r.wall_us) / 1e3;
        t.cpu_ms = static_cast<double>(r.cpu_us) / 1e3;
        t.rows = r.rows;
        t.runs = r.runs;
        t.errors = static_cast<int>(r.errors.size());
        if (!r.errors.empty()) {
            t.first_error = r.errors.front().message;
        }
    }
    for (const auto& m : out.metrics) {
        const auto it = types.find(m.type());
        if (it != types.end()) {
            it->second.bytes += m.text().size();
        }
    }
    return types;
}

// Allocates and writes the room for n records now: the bench's own per-cycle records (about 2 MiB
// over 1,000 cycles of 16 types) must not show up as growth in the RSS the cycles report.
template <typename T> void touch_capacity(std::vector<T>& v, std::size_t n) {
    v.resize(n);
    v.clear(); // keeps the capacity, and its pages stay resident
}

} // namespace

BenchResult run_cycles(std::shared_ptr<const config::Config> config, const RunnerOptions& options,
                       collect::BatchSink* sink) {
    BenchResult result;
    auto pool = std::make_shared<pg::Pool>(conn_params(*config), pool_options(*config));
    collect::CollectorManager manager(static_cast<int>(config->threading.thread_pool_size));
    result.threads = manager.threads();
    result.pool_max_size = pool->max_size();
    collect::DatabaseList database_list;
    {
        auto lease = pool->acquire(config->postgresql.database); // throws pg::Error: nothing to measure
        result.server_version = lease->server_version();
        if (database_list.discovery_due(*config, Clock::now())) {
            database_list.discovered(collect::list_databases(*lease), Clock::now());
        }
    }
    result.databases = database_list.current(*config);
    const collect::EnvelopeInfo info{config->collector.id, config->collector.hostname, k_version};
    const auto base_tick = Clock::now();
    std::optional<double> exec_start;
    const int total = options.warmup + options.cycles;
    touch_capacity(result.cycles, static_cast<std::size_t>(total));
    reset_peak_rss();
    for (int i = 0; i < total; ++i) {
        if (options.stop != nullptr && options.stop->load()) {
            result.interrupted = true;
            break;
        }
        CycleSample sample;
        sample.warmup = i < options.warmup;
        if (i == options.warmup) {
            exec_start = role_exec_ms(*pool, config->postgresql.database);
        }
        const auto before = pool->stats();
        (void)pool->take_peak_active();
        const double cpu0 = cpu_ms_now();
        const auto t0 = Clock::now();

        // What CronLoop::cycle does, with a tick a day later each time so every enabled type is due.
        const auto started = util::SystemClock::now();
        collect::CycleInput in{config, pool, result.databases, 0, started, base_tick + std::chrono::hours(24) * i};
        {
            auto lease = pool->acquire(config->postgresql.database);
            in.server_version = lease->server_version();
        }
        const bool record = options.record_last != nullptr && i + 1 == total;
        if (record) {
            pg::set_query_observer(options.record_last);
        }
        auto out = manager.run_cycle(in, options.stop);
        if (record) {
            pg::set_query_observer(nullptr);
        }
        auto types = type_samples(out);
        out.metrics.push_back(exporter::collector_stats_object(out, pool->stats(), started));
        collect::Batch batch{util::uuid_v4(), static_cast<std::uint64_t>(i + 1), started, std::move(out.metrics)};
        sample.metrics = batch.metrics.size();
        // The push body's size, raw and gzipped, measured piece by piece (the bench's own work: its
        // time is left out of the cycle's wall and CPU time, and it never holds the whole body).
        const auto measure_start = Clock::now();
        const double measure_cpu0 = cpu_ms_now();
        {
            deliver::Gzip packed;
            collect::envelope_pieces(batch, info, [&](std::string_view piece) {
                sample.payload_bytes += piece.size();
                packed.add(piece);
            });
            sample.payload_gzip_bytes = packed.finish().size();
        }
        const auto measure_wall = Clock::now() - measure_start;
        const double measure_cpu = cpu_ms_now() - measure_cpu0;
        if (sink != nullptr) {
            sink->accept(std::move(batch));
            sink->push_due();
        }
        pool->maintain(config->postgresql.database);

        sample.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0 - measure_wall).count();
        sample.cpu_ms = cpu_ms_now() - cpu0 - measure_cpu;
        const auto after = pool->stats();
        sample.connections_opened = after.created - before.created;
        sample.acquisitions = after.acquisitions - before.acquisitions;
        sample.reuses = after.reuses - before.reuses;
        sample.peak_connections = pool->take_peak_active();
        sample.rss_bytes = util::proc_status_bytes(0, "VmRSS").value_or(0);
        for (const auto& [type, t] : types) {
            sample.rows += t.rows;
            sample.errors += t.errors;
            if (!sample.warmup) {
                auto& samples = result.types[type];
                if (samples.capacity() == 0) {
                    touch_capacity(samples, static_cast<std::size_t>(options.cycles));
                }
                samples.push_back(t);
            }
        }
        result.cycles.push_back(sample);
        if (options.on_cycle) {
            options.on_cycle(i + 1, total, sample.wall_ms);
        }
        if (out.abandoned) {
            result.interrupted = true;
            break;
        }
    }
    result.peak_rss_bytes = util::proc_status_bytes(0, "VmHWM").value_or(0);
    if (exec_start) {
        if (const auto end = role_exec_ms(*pool, config->postgresql.database)) {
            result.server_exec_ms = *end - *exec_start;
        }
    }
    if (sink != nullptr) {
        const auto drain_deadline = Clock::now() + std::chrono::seconds(60);
        while (Clock::now() < drain_deadline && sink->status().value("/spool/batches"_json_pointer, 0) > 0) {
            sink->push_due();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        sink->shutdown(Clock::now() + std::chrono::seconds(30));
        result.delivery = sink->status();
    }
    manager.shutdown(Clock::now() + collect::CollectorManager::k_grace);
    return result;
}

} // namespace pga::cli::bench
