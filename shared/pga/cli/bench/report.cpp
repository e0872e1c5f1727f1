// The pga-bench report: see report.hpp.
#include "pga/cli/bench/report.hpp"

#include "pga/version.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace pga::cli::bench {

namespace {

constexpr double k_mib = 1024.0 * 1024.0;

template <typename F> Summary measured(const BenchResult& r, F field) {
    std::vector<double> v;
    for (const auto& c : r.cycles) {
        if (!c.warmup) {
            v.push_back(static_cast<double>(field(c)));
        }
    }
    return summarize(std::move(v));
}

std::string fmt(double v, int decimals = 1) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string pad(const std::string& s, std::size_t width, bool right = true) {
    if (s.size() >= width) {
        return s;
    }
    return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::string version_text(int v) {
    return v <= 0 ? "unknown" : std::to_string(v / 10000) + "." + std::to_string(v % 10000);
}

// The guide's rows ("Expected: 10 collectors 1-2 s, 25 2-5 s, 50 5-10 s, 100 9-15 s"; CPU "< 5% /
// 20% / 30%"), read with a monitored database as one collector run: up to `databases`, the cycle
// p95 and the CPU share must stay under these limits.
struct GuideRow {
    std::size_t databases;
    double cycle_ms;
    double cpu_pct;
};
constexpr GuideRow k_guide_rows[] = {{10, 2000, 5}, {25, 5000, 20}, {50, 10000, 20}, {100, 15000, 30}};

std::optional<GuideRow> guide_row(std::size_t databases) {
    for (const auto& row : k_guide_rows) {
        if (databases <= row.databases) {
            return row;
        }
    }
    return std::nullopt;
}

// The wall and CPU times of one metric type over the measured cycles, and its last sample.
struct TypeSummary {
    Summary wall_ms;
    Summary cpu_ms;
    const TypeSample* last = nullptr;
};

TypeSummary type_summary(const std::vector<TypeSample>& samples) {
    std::vector<double> wall;
    std::vector<double> cpu;
    for (const auto& s : samples) {
        wall.push_back(s.wall_ms);
        cpu.push_back(s.cpu_ms);
    }
    return {summarize(wall), summarize(cpu), &samples.back()};
}

} // namespace

std::vector<Target> guide_targets(std::size_t databases, const Report& f) {
    std::vector<Target> t;
    if (const auto row = guide_row(databases)) {
        t.push_back({"cycle p95", "guide", "ms", row->cycle_ms, f.wall_ms.p95, true});
        const double used = f.interval_s > 0 ? f.cpu_ms.p50 / (f.interval_s * 10.0) : 0;
        t.push_back({"CPU share of the " + std::to_string(f.interval_s) + "s interval", "guide", "%", row->cpu_pct,
                     used, true});
    }
    const double peak_mib = f.result != nullptr ? static_cast<double>(f.result->peak_rss_bytes) / k_mib : 0;
    t.push_back({"peak RSS", "guide", "MiB", 150, peak_mib, true});
    t.push_back({"pool reuse", "guide", "%", 80, f.reuse_pct, false});
    if (f.result != nullptr) {
        t.push_back({"peak connections vs pool_max_size", "guide", "", static_cast<double>(f.result->pool_max_size),
                     static_cast<double>(f.peak_connections), true});
    }
    return t;
}

Report make_report(const BenchResult& r, int interval_s, const ExtraTargets& extra) {
    Report rep;
    rep.result = &r;
    rep.interval_s = interval_s;
    rep.wall_ms = measured(r, [](const CycleSample& c) { return c.wall_ms; });
    rep.cpu_ms = measured(r, [](const CycleSample& c) { return c.cpu_ms; });
    rep.rows = measured(r, [](const CycleSample& c) { return c.rows; });
    rep.payload = measured(r, [](const CycleSample& c) { return c.payload_bytes; });
    rep.payload_gzip = measured(r, [](const CycleSample& c) { return c.payload_gzip_bytes; });
    rep.connections_opened = measured(r, [](const CycleSample& c) { return c.connections_opened; });
    std::uint64_t acquisitions = 0;
    std::uint64_t reuses = 0;
    for (const auto& c : r.cycles) {
        rep.peak_connections = std::max(rep.peak_connections, c.peak_connections);
        if (!c.warmup) {
            acquisitions += c.acquisitions;
            reuses += c.reuses;
        }
    }
    rep.reuse_pct = acquisitions > 0 ? 100.0 * static_cast<double>(reuses) / static_cast<double>(acquisitions) : 0;
    if (r.server_exec_ms && rep.wall_ms.count > 0) {
        rep.server_ms_per_cycle = *r.server_exec_ms / static_cast<double>(rep.wall_ms.count);
    }
    rep.targets = guide_targets(r.databases.size(), rep);
    const auto add = [&](const std::optional<double>& limit, const std::string& name, const std::string& unit,
                         double actual, bool at_most) {
        if (limit) {
            rep.targets.push_back({name, "option", unit, *limit, actual, at_most});
        }
    };
    add(extra.p50_ms, "cycle p50", "ms", rep.wall_ms.p50, true);
    add(extra.p95_ms, "cycle p95", "ms", rep.wall_ms.p95, true);
    add(extra.rss_mib, "peak RSS", "MiB", static_cast<double>(r.peak_rss_bytes) / k_mib, true);
    add(extra.cpu_ms, "CPU per cycle p50", "ms", rep.cpu_ms.p50, true);
    add(extra.reuse_pct, "pool reuse", "%", rep.reuse_pct, false);
    return rep;
}

void add_floor(Report& r, const FloorResult& floor, const ExtraTargets& extra) {
    r.floor = floor;
    if (floor.wall_ms.p50 > 0) {
        r.overhead = r.wall_ms.p50 / floor.wall_ms.p50;
        if (extra.overhead) {
            r.targets.push_back({"overhead vs the floor (p50)", "option", "x", *extra.overhead, *r.overhead, true});
        }
    }
}

void print_text(const Report& rep, std::ostream& out, bool colour) {
    const auto& r = *rep.result;
    const int measured_cycles = static_cast<int>(rep.wall_ms.count);
    out << "pga-bench " << k_version << ": " << measured_cycles << " cycles (+"
        << (r.cycles.size() - static_cast<std::size_t>(measured_cycles)) << " warm-up) on PostgreSQL "
        << version_text(r.server_version) << ", " << r.databases.size() << " databases, " << r.threads
        << " threads, pool_max_size " << r.pool_max_size << (r.interrupted ? " (interrupted)" : "") << "\n\n";
    const auto row = [&](const std::string& name, const Summary& s, int decimals) {
        out << "  " << pad(name, 22, false) << pad(fmt(s.min, decimals), 10) << pad(fmt(s.p50, decimals), 10)
            << pad(fmt(s.p95, decimals), 10) << pad(fmt(s.max, decimals), 10) << "\n";
    };
    out << "  " << pad("per cycle", 22, false) << pad("min", 10) << pad("p50", 10) << pad("p95", 10) << pad("max", 10)
        << "\n";
    row("wall time (ms)", rep.wall_ms, 1);
    row("CPU time (ms)", rep.cpu_ms, 1);
    row("rows read", rep.rows, 0);
    row("payload (bytes)", rep.payload, 0);
    row("payload gzip (bytes)", rep.payload_gzip, 0);
    row("connections opened", rep.connections_opened, 0);
    std::uint64_t opened_total = 0;
    for (const auto& c : r.cycles) {
        opened_total += c.connections_opened;
    }
    out << "\n  connections: " << opened_total << " opened in all, first cycle "
        << (r.cycles.empty() ? 0 : r.cycles.front().connections_opened) << "; at most " << rep.peak_connections
        << " in use at once (pool_max_size " << r.pool_max_size << ")\n";
    out << "  pool reuse: " << fmt(rep.reuse_pct) << "% of borrows after warm-up\n";
    out << "  peak RSS: " << fmt(static_cast<double>(r.peak_rss_bytes) / k_mib) << " MiB";
    if (!r.cycles.empty()) {
        out << " (after the first cycle " << fmt(static_cast<double>(r.cycles.front().rss_bytes) / k_mib)
            << " MiB, after the last " << fmt(static_cast<double>(r.cycles.back().rss_bytes) / k_mib) << " MiB)";
    }
    out << "\n  PostgreSQL execution time: "
        << (rep.server_ms_per_cycle ? fmt(*rep.server_ms_per_cycle) + " ms per cycle (pg_stat_statements, this role)"
                                    : std::string("not available (pg_stat_statements not readable)"))
        << "\n";
    if (rep.floor) {
        out << "  floor (the same " << rep.floor->queries << " queries on " << rep.floor->databases
            << " databases by a bare libpq client, same threads"
            << (rep.floor->connects_in_timing ? ", connecting as it goes" : ", connections open") << "): p50 "
            << fmt(rep.floor->wall_ms.p50) << " ms, p95 " << fmt(rep.floor->wall_ms.p95) << " ms; overhead "
            << (rep.overhead ? fmt(*rep.overhead, 2) + "x" : std::string("n/a"))
            << (rep.floor->errors > 0 ? " (" + std::to_string(rep.floor->errors) +
                                            " failed in the replay, the first: " + rep.floor->first_error + ")"
                                      : "")
            << "\n"
            << "  one bare connection (connect, SELECT 1, close): p50 " << fmt(rep.floor->connect_ms, 2) << " ms\n";
    }
    if (rep.peer) {
        const auto& e = rep.peer->exporter;
        out << "  postgres_exporter (" << e.binary << ", " << e.series << " series): scrape p50 "
            << fmt(e.scrape_ms.p50) << " ms, p95 " << fmt(e.scrape_ms.p95) << " ms, CPU " << fmt(e.cpu_ms_per_scrape)
            << " ms per scrape, peak RSS " << fmt(static_cast<double>(e.peak_rss_bytes) / k_mib) << " MiB"
            << (e.failures > 0 ? ", " + std::to_string(e.failures) + " failed scrapes" : "") << "\n"
            << "  pganalytics, the same families: cycle p50 " << fmt(rep.peer->ours_wall_ms.p50) << " ms, p95 "
            << fmt(rep.peer->ours_wall_ms.p95) << " ms, CPU " << fmt(rep.peer->ours_cpu_ms_p50)
            << " ms per cycle, peak RSS " << fmt(static_cast<double>(rep.peer->ours_peak_rss_bytes) / k_mib)
            << " MiB\n";
    }
    out << "\n";
    out << "  " << pad("metric type", 18, false) << pad("runs", 6) << pad("p50 ms", 9) << pad("p95 ms", 9)
        << pad("max ms", 9) << pad("CPU ms", 9) << pad("rows", 8) << pad("bytes", 10) << "  status\n";
    for (const auto& [type, samples] : r.types) {
        const auto summary = type_summary(samples);
        const auto& w = summary.wall_ms;
        const auto& last = *summary.last;
        std::string status = last.status;
        if (!last.first_error.empty()) {
            status += ": " + last.first_error.substr(0, 60);
        }
        out << "  " << pad(type, 18, false) << pad(std::to_string(last.runs), 6) << pad(fmt(w.p50, 2), 9)
            << pad(fmt(w.p95, 2), 9) << pad(fmt(w.max, 2), 9) << pad(fmt(summary.cpu_ms.p50, 2), 9)
            << pad(std::to_string(last.rows), 8) << pad(std::to_string(last.bytes), 10) << "  " << status << "\n";
    }
    out << "\n  targets (" << r.databases.size() << " databases)\n";
    for (const auto& t : rep.targets) {
        const std::string mark =
            t.met() ? (colour ? "\033[32mok  \033[0m" : "ok  ") : (colour ? "\033[31mMISS\033[0m" : "MISS");
        out << "  " << mark << "  "
            << pad(t.name + (t.at_most ? " <= " : " >= ") + fmt(t.limit, 0) + " " + t.unit, 52, false)
            << pad(fmt(t.actual) + " " + t.unit, 14) << "  (" << t.source << ")\n";
    }
}

nlohmann::json to_json(const Report& rep) {
    const auto& r = *rep.result;
    nlohmann::json types = nlohmann::json::object();
    for (const auto& [type, samples] : r.types) {
        const auto summary = type_summary(samples);
        const auto& last = *summary.last;
        types[type] = {{"status", last.status},
                       {"runs", last.runs},
                       {"wall_ms", to_json(summary.wall_ms)},
                       {"cpu_ms", to_json(summary.cpu_ms)},
                       {"rows", last.rows},
                       {"bytes", last.bytes},
                       {"errors", last.errors},
                       {"first_error", last.first_error}};
    }
    nlohmann::json cycles = nlohmann::json::array();
    for (const auto& c : r.cycles) {
        cycles.push_back({{"warmup", c.warmup},
                          {"wall_ms", c.wall_ms},
                          {"cpu_ms", c.cpu_ms},
                          {"rss_bytes", c.rss_bytes},
                          {"connections_opened", c.connections_opened},
                          {"peak_connections", c.peak_connections},
                          {"acquisitions", c.acquisitions},
                          {"reuses", c.reuses},
                          {"rows", c.rows},
                          {"metrics", c.metrics},
                          {"payload_bytes", c.payload_bytes},
                          {"payload_gzip_bytes", c.payload_gzip_bytes},
                          {"errors", c.errors}});
    }
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& t : rep.targets) {
        targets.push_back({{"name", t.name},
                           {"source", t.source},
                           {"unit", t.unit},
                           {"limit", t.limit},
                           {"actual", t.actual},
                           {"at_most", t.at_most},
                           {"met", t.met()}});
    }
    return {{"tool", "pga-bench"},
            {"version", k_version},
            {"server_version", r.server_version},
            {"databases", r.databases.size()},
            {"threads", r.threads},
            {"pool_max_size", r.pool_max_size},
            {"interval_s", rep.interval_s},
            {"interrupted", r.interrupted},
            {"scale", rep.scale},
            {"cycle",
             {{"wall_ms", to_json(rep.wall_ms)},
              {"cpu_ms", to_json(rep.cpu_ms)},
              {"rows", to_json(rep.rows)},
              {"payload_bytes", to_json(rep.payload)},
              {"payload_gzip_bytes", to_json(rep.payload_gzip)},
              {"connections_opened", to_json(rep.connections_opened)}}},
            {"peak_connections", rep.peak_connections},
            {"pool_reuse_pct", rep.reuse_pct},
            {"peak_rss_bytes", r.peak_rss_bytes},
            {"server_exec_ms_per_cycle", rep.server_ms_per_cycle ? nlohmann::json(*rep.server_ms_per_cycle) : nullptr},
            {"floor", rep.floor ? nlohmann::json{{"wall_ms", to_json(rep.floor->wall_ms)},
                                                 {"queries", rep.floor->queries},
                                                 {"databases", rep.floor->databases},
                                                 {"connects_in_timing", rep.floor->connects_in_timing},
                                                 {"errors", rep.floor->errors},
                                                 {"first_error", rep.floor->first_error},
                                                 {"connect_ms", rep.floor->connect_ms}}
                                : nlohmann::json(nullptr)},
            {"overhead_vs_floor", rep.overhead ? nlohmann::json(*rep.overhead) : nlohmann::json(nullptr)},
            {"postgres_exporter", rep.peer ? nlohmann::json{{"binary", rep.peer->exporter.binary},
                                                            {"scrape_ms", to_json(rep.peer->exporter.scrape_ms)},
                                                            {"cpu_ms_per_scrape", rep.peer->exporter.cpu_ms_per_scrape},
                                                            {"peak_rss_bytes", rep.peer->exporter.peak_rss_bytes},
                                                            {"bytes", rep.peer->exporter.bytes},
                                                            {"series", rep.peer->exporter.series},
                                                            {"failures", rep.peer->exporter.failures},
                                                            {"ours_types", shared_family_types()},
                                                            {"ours_wall_ms", to_json(rep.peer->ours_wall_ms)},
                                                            {"ours_cpu_ms_p50", rep.peer->ours_cpu_ms_p50},
                                                            {"ours_peak_rss_bytes", rep.peer->ours_peak_rss_bytes}}
                                           : nlohmann::json(nullptr)},
            {"collectors", types},
            {"targets", targets},
            {"delivery", r.delivery},
            {"cycles", cycles}};
}

} // namespace pga::cli::bench
