// pga-healthcheck's evaluation of the status file against thresholds: see evaluate.hpp.
#include "pga/cli/healthcheck/evaluate.hpp"

#include "pga/util/strings.hpp"
#include "pga/util/time.hpp"

#include <algorithm>
#include <cstdio>

namespace pga::cli::healthcheck {

namespace {

using nlohmann::json;

const json* at(const json& j, std::initializer_list<const char*> path) {
    const json* p = &j;
    for (const char* k : path) {
        if (!p->is_object() || !p->contains(k)) {
            return nullptr;
        }
        p = &(*p)[k];
    }
    return p;
}

std::optional<double> number(const json& j, std::initializer_list<const char*> path) {
    const json* p = at(j, path);
    return p != nullptr && p->is_number() ? std::optional<double>(p->get<double>()) : std::nullopt;
}

std::optional<double> age_s(const json& j, std::initializer_list<const char*> path, std::int64_t now) {
    const json* p = at(j, path);
    if (p == nullptr || !p->is_string()) {
        return std::nullopt;
    }
    const auto t = util::parse_rfc3339(p->get<std::string>());
    if (!t) {
        return std::nullopt;
    }
    return static_cast<double>(now - std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count());
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
}

int rank(int state) {
    return state == k_critical ? 3 : state == k_unknown ? 2 : state;
}

void add(Evaluation& e, const std::string& name, int state, const std::string& message) {
    e.findings.push_back({name, state, message});
    if (rank(state) > rank(e.state)) {
        e.state = state;
    }
}

int level(double v, double warn, double crit) {
    return v > crit ? k_critical : v > warn ? k_warning : k_ok;
}

void check_cycle(const json& s, const Inputs& in, const Thresholds& t, Evaluation& e) {
    const auto age = age_s(s, {"last_cycle", "finished_at"}, in.now_unix_s);
    if (!age) {
        add(e, "cycle_age", k_warning, "no cycle finished yet");
    } else {
        const double iv = static_cast<double>(in.interval_s);
        const double w = t.cycle_age_warn_intervals * iv;
        const double c = t.cycle_age_crit_intervals * iv;
        add(e, "cycle_age", level(*age, w, c), "last cycle " + num(*age) + "s ago");
        e.perf.push_back({"cycle_age", *age, "s", w, c});
    }
    if (const auto ms = number(s, {"last_cycle", "duration_ms"})) {
        add(e, "cycle_duration", level(*ms, t.cycle_ms_warn, t.cycle_ms_crit), "cycle took " + num(*ms) + "ms");
        e.perf.push_back({"cycle_duration", *ms / 1000.0, "s", t.cycle_ms_warn / 1000, t.cycle_ms_crit / 1000});
    }
}

void check_delivery(const json& s, const Inputs& in, const Thresholds& t, Evaluation& e) {
    const json* d = at(s, {"delivery"});
    if (d == nullptr || !d->is_object() || d->empty()) {
        return; // dry run or no delivery section
    }
    if (const auto push = age_s(s, {"delivery", "last_success"}, in.now_unix_s)) {
        add(e, "push_age", level(*push, t.push_age_warn_s, t.push_age_crit_s),
            "last successful push " + num(*push) + "s ago");
        e.perf.push_back({"push_age", *push, "s", t.push_age_warn_s, t.push_age_crit_s});
    } else if (const auto started = age_s(s, {"started_at"}, in.now_unix_s); started && *started > t.push_age_warn_s) {
        add(e, "push_age", *started > t.push_age_crit_s ? k_critical : k_warning, "no successful push yet");
    }
    const double max_bytes = static_cast<double>(in.spool_max_mib) * 1024 * 1024;
    const double bytes = number(s, {"delivery", "spool", "bytes"}).value_or(0);
    const double batches = number(s, {"delivery", "spool", "batches"}).value_or(0);
    const double dropped = number(s, {"delivery", "spool", "dropped_total"}).value_or(0);
    const double pct = max_bytes > 0 ? 100.0 * bytes / max_bytes : 0;
    int st = level(pct, t.spool_warn_pct, t.spool_crit_pct);
    st = std::max(st, dropped > 0 ? static_cast<int>(k_warning) : static_cast<int>(k_ok));
    add(e, "spool", st, "spool " + num(batches) + " batches, " + num(bytes) + " bytes, " + num(dropped) + " dropped");
    e.perf.push_back(
        {"spool_bytes", bytes, "B", t.spool_warn_pct * max_bytes / 100, t.spool_crit_pct * max_bytes / 100});
    e.perf.push_back({"spool_dropped", dropped, "c", std::nullopt, std::nullopt});
}

// The delivery sink's auth section (deliver::Auth::status()): `critical` is true while the backend
// refuses the credentials or there are none, and sending is paused while the spool fills.
void check_auth(const json& s, Evaluation& e) {
    const json* a = at(s, {"delivery", "auth"});
    if (a == nullptr || !a->is_object()) {
        return;
    }
    const json* critical = at(*a, {"critical"});
    if (critical == nullptr || !critical->is_boolean() || !critical->get<bool>()) {
        add(e, "auth", k_ok, "backend credentials accepted");
        return;
    }
    const std::string state = a->value("state", "");
    const std::string why = a->value("message", "");
    std::string message = "backend authentication failing";
    if (!state.empty()) {
        message += " (" + util::escape_control(state) + ")";
    }
    if (!why.empty()) {
        message += ": " + util::escape_control(why);
    }
    add(e, "auth", k_critical, message);
}

void check_errors(const json& s, Evaluation& e) {
    const json* cs = at(s, {"collectors"});
    if (cs == nullptr || !cs->is_object()) {
        return;
    }
    std::vector<std::string> failing;
    for (const auto& [type, c] : cs->items()) {
        if (c.is_object() && c.value("status", "") == "error") {
            failing.push_back(type);
        }
    }
    if (failing.empty()) {
        add(e, "errors", k_ok, "no collector errors");
        return;
    }
    std::string list;
    for (const auto& f : failing) {
        list += (list.empty() ? "" : ",") + f;
    }
    add(e, "errors", k_warning, "collector errors: " + list);
    e.perf.push_back({"collector_errors", static_cast<double>(failing.size()), "", std::nullopt, std::nullopt});
}

void check_resources(const json& s, const Inputs& in, const Thresholds& t, Evaluation& e) {
    if (in.rss_bytes) {
        const double mib = static_cast<double>(*in.rss_bytes) / (1024.0 * 1024);
        add(e, "rss", level(mib, t.rss_warn_mib, t.rss_crit_mib), "RSS " + num(mib) + " MiB");
        e.perf.push_back(
            {"rss", static_cast<double>(*in.rss_bytes), "B", t.rss_warn_mib * 1048576, t.rss_crit_mib * 1048576});
    }
    if (rss_growing(in.history, t.rss_growth_warn_pct)) {
        add(e, "rss_growth", k_warning,
            "RSS grew in each of the last " + std::to_string(in.history.size()) + " samples");
    }
    const double acq = number(s, {"pool", "acquisitions"}).value_or(0);
    if (acq > 0) {
        const double reuse = 100.0 * number(s, {"pool", "reuses"}).value_or(0) / acq;
        add(e, "pool_reuse", reuse < t.reuse_warn_pct ? k_warning : k_ok, "pool reuse " + num(reuse) + "%");
        e.perf.push_back({"pool_reuse", reuse, "%", std::nullopt, std::nullopt});
    }
    if (const auto cpu = number(s, {"process", "cpu_percent"})) {
        add(e, "cpu", level(*cpu, t.cpu_warn_pct, t.cpu_crit_pct), "CPU " + num(*cpu) + "%");
        e.perf.push_back({"cpu", *cpu, "%", t.cpu_warn_pct, t.cpu_crit_pct});
    }
}

} // namespace

const char* state_name(int state) {
    switch (state) {
    case k_ok: return "OK";
    case k_warning: return "WARNING";
    case k_critical: return "CRITICAL";
    default: return "UNKNOWN";
    }
}

bool rss_growing(const std::vector<Sample>& h, double pct) {
    if (h.size() < 4 || h.front().rss_bytes <= 0) {
        return false;
    }
    for (std::size_t i = 1; i < h.size(); ++i) {
        if (h[i].rss_bytes <= h[i - 1].rss_bytes) {
            return false;
        }
    }
    const double growth = 100.0 * static_cast<double>(h.back().rss_bytes - h.front().rss_bytes) /
                          static_cast<double>(h.front().rss_bytes);
    return growth > pct;
}

Evaluation evaluate(const Inputs& in, const Thresholds& t) {
    Evaluation e;
    if (!in.running) {
        add(e, "running", k_critical, "collector is NOT running (no process holds the lock)");
        return e;
    }
    add(e, "running", k_ok, "collector running (pid " + std::to_string(in.pid) + ")");
    if (!in.status) {
        add(e, "status", k_unknown, "cannot read the status file: " + in.status_error);
        return e;
    }
    check_cycle(*in.status, in, t, e);
    check_delivery(*in.status, in, t, e);
    check_auth(*in.status, e);
    check_errors(*in.status, e);
    check_resources(*in.status, in, t, e);
    return e;
}

std::string format_perf(const Perf& p) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", p.value);
    std::string s = "'" + p.label + "'=" + buf + p.unit;
    const auto opt = [](const std::optional<double>& v) {
        if (!v) {
            return std::string();
        }
        char b[64];
        std::snprintf(b, sizeof b, "%g", *v);
        return std::string(b);
    };
    if (p.warn || p.crit) {
        s += ";" + opt(p.warn) + ";" + opt(p.crit);
    }
    return s;
}

std::string plugin_line(const Evaluation& e) {
    std::string summary;
    for (const auto& f : e.findings) {
        if (f.state != k_ok) {
            summary += (summary.empty() ? "" : ", ") + f.message;
        }
    }
    if (summary.empty()) {
        for (const auto& f : e.findings) {
            if (f.name == "running" || f.name == "cycle_duration" || f.name == "push_age") {
                summary += (summary.empty() ? "" : ", ") + f.message;
            }
        }
    }
    std::replace(summary.begin(), summary.end(), '|', '/'); // '|' starts the perfdata
    std::string line = std::string(state_name(e.state)) + " - " + summary;
    if (!e.perf.empty()) {
        line += " |";
        for (const auto& p : e.perf) {
            line += " " + format_perf(p);
        }
    }
    return line;
}

std::string textfile(const Evaluation& e) {
    std::string out = "# HELP pganalytics_healthcheck_status 0 ok, 1 warning, 2 critical, 3 unknown\n"
                      "# TYPE pganalytics_healthcheck_status gauge\n"
                      "pganalytics_healthcheck_status " +
                      std::to_string(e.state) + "\n";
    for (const auto& f : e.findings) {
        out += "pganalytics_healthcheck_check_status{check=\"" + f.name + "\"} " + std::to_string(f.state) + "\n";
    }
    for (const auto& p : e.perf) {
        const std::string unit = p.unit == "s"   ? "_seconds"
                                 : p.unit == "B" ? "_bytes"
                                 : p.unit == "%" ? "_percent"
                                                 : "";
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", p.value);
        out += "# TYPE pganalytics_healthcheck_" + p.label + unit + " gauge\npganalytics_healthcheck_" + p.label +
               unit + " " + buf + "\n";
    }
    return out;
}

} // namespace pga::cli::healthcheck
