// `pga-bench`: see bench.hpp.
#include "pga/cli/bench/bench.hpp"

#include "pga/cli/backend_sink.hpp"
#include "pga/cli/bench/chart.hpp"
#include "pga/cli/bench/cluster.hpp"
#include "pga/cli/common.hpp"
#include "pga/cli/cron_loop.hpp"
#include "pga/cli/exit_codes.hpp"
#include "pga/log/log.hpp"
#include "pga/util/files.hpp"
#include "pga/util/host.hpp"
#include "pga/util/process.hpp"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <unistd.h>

namespace pga::cli::bench {

namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
    g_stop.store(true);
}

// Restricts the metric types to `only`; returns the unknown names.
std::vector<std::string> restrict_types(config::Config& c, const std::vector<std::string>& only) {
    std::set<std::string> known;
    for (const auto& m : registered_metrics()) {
        known.insert(m.name);
    }
    std::vector<std::string> unknown;
    for (const auto& t : only) {
        if (!known.contains(t)) {
            unknown.push_back(t);
        }
    }
    if (!only.empty()) {
        for (const auto& m : registered_metrics()) {
            auto it = c.metrics.find(m.name);
            auto& settings =
                it != c.metrics.end()
                    ? it->second
                    : c.metrics.emplace(m.name, config::MetricSettings{m.enabled, m.interval_s, m.timeout_s})
                          .first->second;
            settings.enabled = std::find(only.begin(), only.end(), m.name) != only.end();
        }
    }
    return unknown;
}

// A private state directory, so the log position, spool and sequence of a running collector are
// never touched; for --push the identity (collector_id, token, client certificate) is copied in.
struct PrivateState {
    fs::path dir;
    PrivateState(const std::string& from, bool copy_identity) {
        std::string templ = (fs::temp_directory_path() / "pga-bench-state-XXXXXX").string();
        if (::mkdtemp(templ.data()) == nullptr) {
            throw std::runtime_error("cannot create a temporary state directory: " + util::errno_text());
        }
        dir = templ;
        for (const char* name :
             copy_identity ? std::vector<const char*>{"identity.json", "token", "collector.crt", "collector.key"}
                           : std::vector<const char*>{}) {
            std::error_code ec;
            if (fs::exists(fs::path(from) / name, ec)) {
                fs::copy_file(fs::path(from) / name, dir / name, ec);
            }
        }
    }
    PrivateState(const PrivateState&) = delete;
    PrivateState& operator=(const PrivateState&) = delete;
    ~PrivateState() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

void progress_bar(int done, int total, double last_ms) {
    constexpr int k_width = 30;
    const int filled = total > 0 ? done * k_width / total : k_width;
    std::cerr << "\r[" << std::string(filled, '#') << std::string(k_width - filled, ' ') << "] " << done << "/" << total
              << " cycles, last " << static_cast<long>(last_ms) << " ms" << (done == total ? "\n" : "") << std::flush;
}

} // namespace

int bench_main(const Options& o, std::ostream& out, std::ostream& err) {
    util::limit_malloc_arenas(1); // as `pganalytics cron` does
    log::setup_stderr(o.verbose ? "info" : "warning");
    std::optional<config::Config> loaded;
    if (o.config_path || o.scale == 0) {
        loaded = load_config(o.config_path, err);
        if (!loaded) {
            return k_exit_config;
        }
    } else {
        loaded.emplace();
        loaded->collector.hostname = util::host_name();
    }
    auto& c = *loaded;
    ScaleSpec spec{o.scale, o.tables, o.rows, o.statements.value_or(100 * o.scale), 100};
    if (o.scale > 0) {
        if (const auto problem = check(spec); !problem.empty()) {
            err << "pga-bench: " << problem << "\n";
            return k_exit_usage;
        }
    }
    if (const auto unknown = restrict_types(c, o.types); !unknown.empty()) {
        err << "pga-bench: --types: unknown metric type \"" << unknown.front() << "\"\n";
        return k_exit_usage;
    }
    if (o.threads) {
        c.threading.thread_pool_size = *o.threads;
    }
    if (o.pool_max_size) {
        c.postgresql.pool_max_size = *o.pool_max_size;
        c.postgresql.pool_min_size = std::min(c.postgresql.pool_min_size, c.postgresql.pool_max_size);
    }
    c.exporter.enabled = false;
    if (o.compare_exporter && o.scale == 0) {
        err << "pga-bench: --compare-exporter needs --scale (the exporter runs against the throwaway cluster)\n";
        return k_exit_usage;
    }
    if (o.push && c.backend.url.empty()) {
        err << "pga-bench: --push needs [backend] url in the configuration\n";
        return k_exit_usage;
    }
    try {
        std::unique_ptr<ThrowawayCluster> cluster;
        if (o.scale > 0) {
            spec.max_connections = std::max<int>(100, o.scale + static_cast<int>(c.postgresql.pool_max_size) + 20);
            cluster = std::make_unique<ThrowawayCluster>(spec, o.pg_bin, o.keep, err);
            const auto p = cluster->monitor_params();
            c.postgresql.host = p.host;
            c.postgresql.port = std::stoi(p.port);
            c.postgresql.user = p.user;
            c.postgresql.password = util::Secret();
            c.postgresql.database = p.dbname;
            c.postgresql.databases = cluster->databases();
        }
        const PrivateState state(c.collector.state_dir, o.push);
        c.collector.state_dir = state.dir.string();
        std::unique_ptr<collect::BatchSink> sink;
        if (o.push) {
            sink = make_backend_sink(c);
        }
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        RunnerOptions ro;
        ro.cycles = o.cycles;
        ro.warmup = o.warmup;
        ro.stop = &g_stop;
        if (::isatty(STDERR_FILENO) != 0) {
            ro.on_cycle = progress_bar;
        }
        QueryRecorder recorder;
        if (o.floor) {
            ro.record_last = &recorder;
        }
        const auto config = std::make_shared<const config::Config>(c);
        const auto result = run_cycles(config, ro, sink.get());
        auto report = make_report(result, static_cast<int>(c.collector.interval_s), o.targets);
        if (o.floor && !result.interrupted) {
            add_floor(report,
                      measure_floor(recorder.take(), conn_params(c), static_cast<int>(c.threading.thread_pool_size),
                                    static_cast<int>(c.postgresql.pool_max_size), o.cycles),
                      o.targets);
        }
        if (o.compare_exporter && !result.interrupted) {
            PeerComparison peer;
            peer.exporter = measure_exporter(*o.compare_exporter, cluster->monitor_params(), o.cycles,
                                             state.dir / "postgres_exporter.log");
            auto shared = c;
            (void)restrict_types(shared, shared_family_types());
            RunnerOptions sro;
            sro.cycles = o.cycles;
            sro.warmup = o.warmup;
            sro.stop = &g_stop;
            const auto ours = run_cycles(std::make_shared<const config::Config>(shared), sro, nullptr);
            const auto ours_report = make_report(ours, static_cast<int>(c.collector.interval_s), {});
            peer.ours_wall_ms = ours_report.wall_ms;
            peer.ours_cpu_ms_p50 = ours_report.cpu_ms.p50;
            peer.ours_peak_rss_bytes = ours.peak_rss_bytes;
            report.peer = peer;
        }
        if (cluster) {
            report.scale = {{"databases", spec.databases},
                            {"tables", spec.tables},
                            {"rows", spec.rows},
                            {"statements", spec.statements},
                            {"statements_tracked", cluster->statements_tracked()}};
        }
        if (o.json) {
            out << to_json(report).dump(2) << "\n";
        } else {
            print_text(report, out, &out == &std::cout && ::isatty(STDOUT_FILENO) != 0);
        }
        if (o.chart) {
            std::vector<double> wall;
            for (const auto& s : result.cycles) {
                if (!s.warmup) {
                    wall.push_back(s.wall_ms);
                }
            }
            const auto title = "pga-bench: cycle time, " + std::to_string(result.databases.size()) + " databases, " +
                               std::to_string(wall.size()) + " cycles";
            util::atomic_write(*o.chart, cycle_chart_svg(wall, title), 0644);
        }
        const bool missed =
            std::any_of(report.targets.begin(), report.targets.end(), [](const Target& t) { return !t.met(); });
        return o.check && missed ? k_exit_failure : k_exit_ok;
    } catch (const std::exception& e) {
        err << "pga-bench: " << e.what() << "\n";
        return k_exit_failure;
    }
}

} // namespace pga::cli::bench
