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

// The metrics of a batch in request-sized groups: unchanged objects are referenced, not copied;
// the pieces of an oversized one live in `pieces`.
struct Groups {
    std::vector<collect::Metric> pieces;
    std::vector<std::vector<const collect::Metric*>> groups;
};

// Returns the pieces of an object too big for the budget, or nothing when it cannot be cut.
std::vector<collect::Metric> cut_oversized(const collect::Metric& m, std::size_t budget) {
    const auto object = m.parse();
    const auto key = largest_array(object);
    if (key.empty()) {
        spdlog::warn("a {} object of {} bytes exceeds max_request_kib and cannot be cut; sent alone",
                     m.type().empty() ? "metric" : json(m.type()).dump(), m.text().size() + 2);
        return {};
    }
    std::vector<collect::Metric> pieces;
    for (const auto& piece : cut_object(object, key, budget - 2)) {
        pieces.emplace_back(piece);
    }
    return pieces;
}

Groups group(const std::vector<collect::Metric>& metrics, std::size_t budget) {
    Groups g;
    std::size_t oversized = 0;
    std::vector<std::vector<collect::Metric>> cuts(metrics.size());
    for (std::size_t i = 0; i < metrics.size(); ++i) {
        if (metrics[i].text().size() + 2 > budget) {
            cuts[i] = cut_oversized(metrics[i], budget);
            oversized += cuts[i].size();
        }
    }
    g.pieces.reserve(oversized); // pointers into it stay valid
    std::vector<const collect::Metric*> current;
    std::size_t size = 2;
    const auto add = [&](const collect::Metric* m) {
        const std::size_t bytes = m->text().size() + 1;
        if (!current.empty() && size + bytes > budget) {
            g.groups.push_back(std::move(current));
            current.clear();
            size = 2;
        }
        current.push_back(m);
        size += bytes;
    };
    for (std::size_t i = 0; i < metrics.size(); ++i) {
        if (cuts[i].empty()) {
            add(&metrics[i]);
            continue;
        }
        for (auto& piece : cuts[i]) {
            g.pieces.push_back(std::move(piece));
            add(&g.pieces.back());
        }
    }
    if (!current.empty() || g.groups.empty()) {
        g.groups.push_back(std::move(current));
    }
    return g;
}

SpoolItem make_item(const SpoolItem& base, const std::vector<const collect::Metric*>& group, std::string id,
                    int level) {
    SpoolItem item;
    item.batch_id = std::move(id);
    item.sequence = base.sequence;
    item.created_ms = base.created_ms;
    item.metrics_count = static_cast<std::int64_t>(group.size());
    item.split_level = level;
    item.body = collect::array_text(group);
    return item;
}

} // namespace

std::string dump_json(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::vector<collect::Metric>> split_metrics(const std::vector<collect::Metric>& metrics,
                                                        std::size_t budget_bytes) {
    const auto g = group(metrics, budget_bytes);
    std::vector<std::vector<collect::Metric>> out;
    for (const auto& members : g.groups) {
        auto& copy = out.emplace_back();
        for (const auto* m : members) {
            copy.push_back(*m);
        }
    }
    return out;
}

struct SpoolItems::Parts {
    SpoolItem base;
    Groups groups;
};

SpoolItems::SpoolItems(const collect::Batch& batch, std::size_t budget_bytes)
    : batch_(batch), parts_(std::make_unique<Parts>()) {
    auto& base = parts_->base;
    base.batch_id = batch.batch_id;
    base.sequence = batch.sequence;
    const auto created = batch.created.time_since_epoch().count() == 0 ? util::SystemClock::now() : batch.created;
    base.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(created.time_since_epoch()).count();
    parts_->groups = group(batch.metrics, budget_bytes);
}

SpoolItems::~SpoolItems() = default;

std::size_t SpoolItems::size() const {
    return parts_->groups.groups.size();
}

SpoolItem SpoolItems::item(std::size_t i) const {
    const auto& groups = parts_->groups.groups;
    const auto id = groups.size() == 1 ? batch_.batch_id : batch_.batch_id + "-p" + std::to_string(i + 1);
    return make_item(parts_->base, groups.at(i), id, 0);
}

std::vector<SpoolItem> to_spool_items(const collect::Batch& batch, std::size_t budget_bytes) {
    const SpoolItems parts(batch, budget_bytes);
    std::vector<SpoolItem> items;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        items.push_back(parts.item(i));
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
    const std::vector<collect::Metric> texts(metrics.begin(), metrics.end());
    std::vector<std::vector<const collect::Metric*>> groups(2);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        groups[i < half ? 0 : 1].push_back(&texts[i]);
    }
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
