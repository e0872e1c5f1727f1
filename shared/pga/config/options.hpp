// The option table: every configuration key is declared exactly once here, with its section,
// type, range, choices and description. Loading, validation, `--validate-config`, pga-validate
// and the commented sample file are all driven from it.
#pragma once

#include "pga/config/config.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace pga::config {

enum class Type { integer, boolean, string, string_list };

using Value = std::variant<std::int64_t, bool, std::string, std::vector<std::string>>;

struct Option {
    std::string section;
    std::string name;
    Type type = Type::string;
    std::string description;
    std::string unit;                 // "seconds", "milliseconds", ... shown in the sample
    std::int64_t min = 0;             // integers only
    std::int64_t max = 0;             // integers only; min == max == 0 means unbounded
    std::vector<std::string> choices; // strings only; empty means any string
    bool secret = false;              // value is never printed
    bool readable_file = false;       // value is a path that must be readable when set
    std::function<void(Config&, const Value&)> set;
    std::function<Value(const Config&)> get;

    // Returns "section.name".
    std::string qualified() const { return section + "." + name; }
};

// Default settings of one metric type, supplied by the collector table (pga::collect).
struct MetricDefaults {
    std::string name;
    std::string description;
    std::int64_t interval_s = 60;
    std::int64_t timeout_s = 30;
    bool enabled = true;
};

// The sections in the order the sample file lists them.
const std::vector<std::string>& section_order();

// The section aliases accepted on input: `[postgres]` for `[postgresql]`.
const std::vector<std::pair<std::string, std::string>>& section_aliases();

// Returns the full option table: the fixed options plus enabled/interval/timeout for each
// metric type in `metrics`.
std::vector<Option> option_table(const std::vector<MetricDefaults>& metrics);

// Returns a default Config with the metric map filled from `metrics`.
Config default_config(const std::vector<MetricDefaults>& metrics);

// Returns the value formatted as TOML ("60", "true", "\"x\"", "[\"a\", \"b\"]").
std::string to_toml(const Value& value);

} // namespace pga::config
