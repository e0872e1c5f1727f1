// Batch splitting: see split.hpp.
#include "pga/deliver/split.hpp"

#include <spdlog/spdlog.h>

namespace pga::deliver {

namespace {

using json = nlohmann::json;

// Returns the key of the largest array member of obj with at least two elements, or "".
std::string largest_array(const json& obj) {
    std::string best;
    std::size_t best_size = 0;
    if (!obj.is_object()) {
        return best;
    }
    for (const auto& [key, value] : obj.items()) {
        if (value.is_array() && value.size() >= 2) {
            const auto size = dump_json(value).size();
            if (size > best_size) {
                best = key;
                best_size = size;
            }
        }
    }
    return best;
}

// Cuts obj along member `key` into pieces that each fit the budget where possible.
std::vector<json> cut_object(const json& obj, const std::string& key, std::size_t budget) {
    json shell = obj;
    shell[key] = json::array();
    const std::size_t overhead = dump_json(shell).size();
    std::vector<json> pieces;
    json current = json::array();
    std::size_t size = overhead;
    for (const auto& element : obj.at(key)) {
        const std::size_t add = dump_json(element).size() + 1;
        if (!current.empty() && size + add > budget) {
            pieces.push_back(shell);
            pieces.back()[key] = std::move(current);
            current = json::array();
            size = overhead;
        }
        current.push_back(element);
        size += add;
    }
    pieces.push_back(shell);
    pieces.back()[key] = std::move(current);
    return pieces;
}

// Returns the objects with each oversized one replaced by its pieces.
std::vector<json> cut_oversized(const std::vector<json>& metrics, std::size_t budget) {
    std::vector<json> out;
    for (const auto& m : metrics) {
        const auto size = dump_json(m).size() + 2;
        const auto key = size > budget ? largest_array(m) : std::string();
        if (key.empty()) {
            if (size > budget) {
                spdlog::warn("a {} object of {} bytes exceeds max_request_kib and cannot be cut; sent alone",
                             m.is_object() && m.contains("type") ? m["type"].dump() : "metric", size);
            }
            out.push_back(m);
            continue;
        }
        for (auto& piece : cut_object(m, key, budget - 2)) {
            out.push_back(std::move(piece));
        }
    }
    return out;
}

std::string array_text(const std::vector<json>& group) {
    std::string text = "[";
    for (std::size_t i = 0; i < group.size(); ++i) {
        text += (i == 0 ? "" : ",") + dump_json(group[i]);
    }
    return text + "]";
}

SpoolItem make_item(const SpoolItem& base, const std::vector<json>& group, std::string id, int level) {
    SpoolItem item;
    item.batch_id = std::move(id);
    item.sequence = base.sequence;
    item.created_ms = base.created_ms;
    item.metrics_count = static_cast<std::int64_t>(group.size());
    item.split_level = level;
    item.body = array_text(group);
    return item;
}

} // namespace

std::string dump_json(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::vector<json>> split_metrics(const std::vector<json>& metrics, std::size_t budget_bytes) {
    std::vector<std::vector<json>> groups;
    std::vector<json> current;
    std::size_t size = 2;
    for (auto& m : cut_oversized(metrics, budget_bytes)) {
        const std::size_t add = dump_json(m).size() + 1;
        if (!current.empty() && size + add > budget_bytes) {
            groups.push_back(std::move(current));
            current.clear();
            size = 2;
        }
        current.push_back(std::move(m));
        size += add;
    }
    if (!current.empty() || groups.empty()) {
        groups.push_back(std::move(current));
    }
    return groups;
}

std::vector<SpoolItem> to_spool_items(const collect::Batch& batch, std::size_t budget_bytes) {
    SpoolItem base;
    base.batch_id = batch.batch_id;
    base.sequence = batch.sequence;
    const auto created = batch.created.time_since_epoch().count() == 0 ? util::SystemClock::now() : batch.created;
    base.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(created.time_since_epoch()).count();
    const auto groups = split_metrics(batch.metrics, budget_bytes);
    std::vector<SpoolItem> items;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const auto id = groups.size() == 1 ? batch.batch_id : batch.batch_id + "-p" + std::to_string(i + 1);
        items.push_back(make_item(base, groups[i], id, 0));
    }
    return items;
}

std::vector<SpoolItem> halve(const SpoolEntry& entry) {
    if (entry.split_level > 0) {
        return {};
    }
    const auto parsed = json::parse(entry.body, nullptr, false);
    if (!parsed.is_array() || parsed.empty()) {
        return {};
    }
    std::vector<json> metrics(parsed.begin(), parsed.end());
    if (metrics.size() == 1) {
        const auto key = largest_array(metrics[0]);
        if (key.empty()) {
            return {};
        }
        metrics = cut_object(metrics[0], key, (dump_json(metrics[0]).size() + 1) / 2);
    }
    const auto half = (metrics.size() + 1) / 2;
    std::vector<std::vector<json>> groups = {std::vector<json>(metrics.begin(), metrics.begin() + half),
                                             std::vector<json>(metrics.begin() + half, metrics.end())};
    if (groups[1].empty()) {
        return {};
    }
    std::vector<SpoolItem> parts;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        parts.push_back(make_item(entry, groups[i], entry.batch_id + "-h" + std::to_string(i + 1), 1));
    }
    return parts;
}

} // namespace pga::deliver
