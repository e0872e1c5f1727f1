// Turns a settled run into metric objects and its type's report: the collector's data marked
// "status":"ok", one "error" object per failed database (or for the whole run), and one
// "unavailable" object when the source does not exist on this server.
#include "pga/collect/envelope.hpp"
#include "pga/collect/manager_internal.hpp"

#include <algorithm>

namespace pga::collect {

nlohmann::json error_object(std::string_view type, const std::string& timestamp, const std::string& database,
                            const std::string& message) {
    nlohmann::json o = {{"type", type}, {"timestamp", timestamp}};
    if (!database.empty()) {
        o["database"] = database;
    }
    o["status"] = "error";
    o["error"] = message;
    return o;
}

nlohmann::json unavailable_object(std::string_view type, const std::string& timestamp, const std::string& reason) {
    return {{"type", type}, {"timestamp", timestamp}, {"status", "unavailable"}, {"reason", reason}};
}

namespace {

// Returns the errors of a settled slot, explained when the budget or the grace period ran out.
std::vector<RunError> slot_errors(const CollectorManager::Slot& s) {
    if (!s.started) {
        return {{s.database, "not run: the cycle was stopped or ran out of time before this run started"}};
    }
    const std::string budget = "time budget of " + std::to_string(s.timeout.count()) + "s exceeded";
    if (!s.done) {
        return {{s.database, budget + " and the run did not stop within " +
                                 std::to_string(CollectorManager::k_grace.count()) + "s; abandoned"}};
    }
    std::vector<RunError> errors = s.out.errors;
    if (!s.failure.empty()) {
        errors.push_back({s.database, s.failure});
    }
    if (s.expired_at || s.overran) {
        for (auto& e : errors) {
            e.message = budget + ": " + e.message;
        }
    }
    return errors;
}

} // namespace

std::vector<Metric> ok_objects(std::string_view type, util::SystemClock::time_point timestamp,
                               const std::string& database, Output& out) {
    const auto ts = util::rfc3339_utc(timestamp);
    std::vector<Metric> texts;
    texts.reserve(out.metrics.size() + out.texts.size());
    std::size_t dropped = 0;
    for (auto& object : out.metrics) {
        if (!object.is_object()) {
            ++dropped;
            continue;
        }
        object.emplace("type", type);
        object.emplace("timestamp", ts);
        object.emplace("status", "ok");
        texts.emplace_back(object);
        object = nullptr; // frees this object's tree now, not after the whole run's
    }
    out.metrics.clear();
    const auto fields = dump_json({{"type", type}, {"timestamp", ts}, {"status", "ok"}});
    for (auto& text : out.texts) {
        if (text.size() < 2 || text.front() != '{' || text.back() != '}') { // a compact object or nothing
            ++dropped;
            continue;
        }
        std::string full;
        full.reserve(fields.size() + text.size());
        full.append(fields, 0, fields.size() - 1);
        if (text.find_first_not_of(" \t\r\n", 1) == text.size() - 1) { // "{}", maybe with blanks
            full += '}';
        } else {
            full += ',';
            full.append(text, 1);
        }
        texts.emplace_back(std::string(type), "ok", std::move(full));
        text = std::string();
    }
    out.texts.clear();
    if (dropped > 0) {
        out.errors.push_back({database, std::to_string(dropped) + " metric object(s) of this run were not JSON "
                                                                  "objects and were left out"});
    }
    return texts;
}

void slot_output(CollectorManager::Slot& s, const CycleInput& in, std::vector<Metric>& metrics, RunReport& report) {
    const auto type = s.entry->info->name;
    const auto timestamp = util::rfc3339_utc(in.timestamp);
    if (s.done && s.started) {
        for (auto& metric : s.texts) {
            metrics.push_back(std::move(metric));
        }
        s.texts.clear();
        report.rows += s.out.rows;
        if (!s.out.unavailable.empty()) {
            metrics.push_back(unavailable_object(type, timestamp, s.out.unavailable));
            report.reason = s.out.unavailable;
            if (report.status == "ok") {
                report.status = "unavailable";
            }
        }
    }
    report.duration_ms = std::max(report.duration_ms, s.duration_ms);
    report.wall_us = std::max(report.wall_us, s.wall_us);
    if (s.done && s.started) {
        report.cpu_us += s.cpu_us;
        ++report.runs;
    }
    for (auto& e : slot_errors(s)) {
        metrics.push_back(error_object(type, timestamp, e.database, e.message));
        report.status = "error";
        report.errors.push_back(std::move(e));
    }
}

} // namespace pga::collect
