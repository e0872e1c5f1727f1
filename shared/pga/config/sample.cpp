// Sample configuration generator: see sample.hpp.
#include "pga/config/sample.hpp"

#include "pga/util/strings.hpp"

#include <map>

namespace pga::config {

namespace {

std::string describe_limits(const Option& o) {
    std::vector<std::string> parts;
    if (!o.unit.empty()) {
        parts.push_back(o.unit);
    }
    if (o.type == Type::integer && (o.min != 0 || o.max != 0)) {
        parts.push_back(std::to_string(o.min) + "-" + std::to_string(o.max));
    }
    if (!o.choices.empty()) {
        parts.push_back("one of: " + util::join(o.choices, ", "));
    }
    return parts.empty() ? "" : " (" + util::join(parts, "; ") + ")";
}

bool is_unset(const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) {
        return s->empty();
    }
    if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
        return l->empty();
    }
    return false;
}

} // namespace

std::string sample_config(const std::vector<MetricDefaults>& metrics) {
    const Config defaults = default_config(metrics);
    const auto table = option_table(metrics);
    std::vector<std::string> sections = section_order();
    for (const auto& m : metrics) {
        sections.push_back(m.name);
    }
    std::string out = "# pganalytics collector configuration (generated from the option table).\n"
                      "# Every key is optional; the value shown is the default. Run\n"
                      "#   pganalytics --validate-config -c /etc/pganalytics/collector.toml\n"
                      "# after editing. Secrets are best kept in *_file keys, the environment or ~/.pgpass.\n";
    for (const auto& section : sections) {
        out += "\n[" + section + "]\n";
        for (const auto& o : table) {
            if (o.section != section) {
                continue;
            }
            const Value v = o.get(defaults);
            out += "# " + o.description + describe_limits(o) + "\n";
            const bool commented = o.secret || is_unset(v);
            out += (commented ? "# " : "") + o.name + " = " + to_toml(v) + "\n";
        }
    }
    return out;
}

} // namespace pga::config
