// pga-healthcheck's driver: see healthcheck.hpp.
#include "pga/cli/healthcheck/healthcheck.hpp"

#include "pga/cli/common.hpp"
#include "pga/cli/healthcheck/probe.hpp"
#include "pga/state/status.hpp"
#include "pga/util/files.hpp"
#include "pga/util/time.hpp"

#include <ostream>
#include <sstream>

namespace pga::cli::healthcheck {

namespace {

constexpr std::size_t k_history = 12;

Inputs gather(const config::Config& c) {
    Inputs in;
    in.now_unix_s =
        std::chrono::duration_cast<std::chrono::seconds>(util::SystemClock::now().time_since_epoch()).count();
    in.interval_s = c.collector.interval_s;
    in.spool_max_mib = c.spool.max_size_mib;
    const auto holder = lock_holder(c.collector.state_dir);
    in.running = holder.running;
    in.pid = holder.pid;
    in.status = state::read_status(c.collector.state_dir, &in.status_error);
    if (in.running && in.pid > 0) {
        in.rss_bytes = rss_bytes(in.pid);
        Sample now{in.now_unix_s, in.pid, in.rss_bytes.value_or(0), 0};
        if (in.status) {
            now.cycle_ms = in.status->value("/last_cycle/duration_ms"_json_pointer, 0LL);
        }
        in.history = update_history(c.collector.state_dir, now, k_history);
    }
    return in;
}

nlohmann::json to_json(const Evaluation& e, const Decision& d) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& f : e.findings) {
        checks.push_back({{"name", f.name}, {"state", state_name(f.state)}, {"message", f.message}});
    }
    nlohmann::json perf = nlohmann::json::object();
    for (const auto& p : e.perf) {
        perf[p.label] = p.value;
    }
    return {{"state", state_name(e.state)},
            {"exit_code", e.state},
            {"summary", plugin_line(e)},
            {"checks", checks},
            {"perfdata", perf},
            {"decision", {{"action", d.rollback ? "ROLLBACK" : "CONTINUE"}, {"branch", d.branch}, {"why", d.why}}}};
}

} // namespace

int healthcheck_main(const Options& o, std::ostream& out, std::ostream& err) {
    std::ostringstream diag;
    const auto config = load_config(o.config_path, diag);
    if (!config) {
        out << "UNKNOWN - configuration is invalid\n";
        err << diag.str();
        return k_unknown;
    }
    try {
        const Inputs in = gather(*config);
        const Evaluation e = evaluate(in, o.thresholds);
        const Decision d = decide(e, in, o.thresholds);
        if (!o.textfile.empty()) {
            util::atomic_write(o.textfile, textfile(e), 0644);
        }
        if (o.json) {
            out << to_json(e, d).dump(2) << "\n";
        } else if (o.decide) {
            out << (d.rollback ? "ROLLBACK" : "CONTINUE") << " - " << d.branch << ": " << d.why << "\n";
        } else {
            out << plugin_line(e) << "\n";
        }
        if (o.decide) {
            return d.rollback ? 2 : 0;
        }
        return e.state;
    } catch (const std::exception& ex) {
        out << "UNKNOWN - " << ex.what() << "\n";
        return k_unknown;
    }
}

} // namespace pga::cli::healthcheck
