// Metric family builder: see families.hpp.
#include "pga/exporter/families.hpp"

#include "pga/util/strings.hpp"

#include <cctype>

namespace pga::exporter {

prometheus::ClientMetric* Families::add(const std::string& name, const std::string& help, prometheus::MetricType type,
                                        const Labels& labels) {
    auto it = index_.find(name);
    if (it == index_.end()) {
        prometheus::MetricFamily f;
        f.name = name;
        f.help = help;
        f.type = type;
        families_.push_back(std::move(f));
        it = index_.emplace(name, families_.size() - 1).first;
    }
    auto& family = families_[it->second];
    if (family.type != type || family.metric.size() >= cap_) {
        return nullptr;
    }
    prometheus::ClientMetric m;
    for (const auto& [k, v] : labels) {
        m.label.push_back({k, util::escape_control(v)});
    }
    family.metric.push_back(std::move(m));
    return &family.metric.back();
}

void Families::gauge(const std::string& name, const std::string& help, double value, const Labels& labels) {
    if (auto* m = add(name, help, prometheus::MetricType::Gauge, labels)) {
        m->gauge.value = value;
    }
}

void Families::counter(const std::string& name, const std::string& help, double value, const Labels& labels) {
    if (auto* m = add(name, help, prometheus::MetricType::Counter, labels)) {
        m->counter.value = value;
    }
}

std::vector<prometheus::MetricFamily> Families::take() {
    index_.clear();
    return std::exchange(families_, {});
}

std::string name_part(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        const bool ok = std::isalnum(c) != 0 || c == '_';
        const char next = ok ? static_cast<char>(std::tolower(c)) : '_';
        if (next == '_' && !out.empty() && out.back() == '_') {
            continue;
        }
        out += next;
    }
    return out;
}

} // namespace pga::exporter
