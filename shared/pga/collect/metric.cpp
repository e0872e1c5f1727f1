// A metric object held as text: see metric.hpp.
#include "pga/collect/metric.hpp"

#include "pga/collect/envelope.hpp"

namespace pga::collect {

namespace {

std::string string_member(const nlohmann::json& object, const char* key) {
    if (!object.is_object()) {
        return "";
    }
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

template <typename Get> std::string join(std::size_t n, std::size_t bytes, Get get) {
    std::string text;
    text.reserve(bytes + n + 2);
    text += '[';
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) {
            text += ',';
        }
        text += get(i);
    }
    text += ']';
    return text;
}

} // namespace

Metric::Metric(const nlohmann::json& object)
    : type_(string_member(object, "type")), status_(string_member(object, "status")), text_(dump_json(object)) {}

Metric::Metric(std::string type, std::string status, std::string text)
    : type_(std::move(type)), status_(std::move(status)), text_(std::move(text)) {}

nlohmann::json Metric::parse() const {
    return nlohmann::json::parse(text_, nullptr, false);
}

std::vector<Metric> to_metrics(const std::vector<nlohmann::json>& objects) {
    return {objects.begin(), objects.end()};
}

std::string array_text(const std::vector<Metric>& metrics) {
    std::size_t bytes = 0;
    for (const auto& m : metrics) {
        bytes += m.text().size();
    }
    return join(metrics.size(), bytes, [&](std::size_t i) -> const std::string& { return metrics[i].text(); });
}

std::string array_text(const std::vector<const Metric*>& metrics) {
    std::size_t bytes = 0;
    for (const auto* m : metrics) {
        bytes += m->text().size();
    }
    return join(metrics.size(), bytes, [&](std::size_t i) -> const std::string& { return metrics[i]->text(); });
}

} // namespace pga::collect
