// TOML loading: parse with toml++, walk every section and key against the option table, convert
// and range-check values, then run the cross-field rules and secret resolution (rules.cpp).
#include "pga/config/loader.hpp"

#include "pga/config/rules.hpp"
#include "pga/util/files.hpp"
#include "pga/util/host.hpp"
#include "pga/util/strings.hpp"

#include <cstdlib>
#include <map>
#include <set>
#include <toml++/toml.h>

namespace pga::config {

namespace {

struct Position {
    std::int64_t line = 0;
    std::int64_t column = 0;
};

Position position_of(const toml::source_region& region) {
    return {static_cast<std::int64_t>(region.begin.line), static_cast<std::int64_t>(region.begin.column)};
}

const char* toml_type_name(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date/time";
    }
}

const char* expected_name(Type type) {
    switch (type) {
    case Type::integer: return "an integer";
    case Type::boolean: return "true or false";
    case Type::string: return "a string";
    case Type::string_list: return "an array of strings or a comma-separated string";
    }
    return "?";
}

// Walks one parsed document and records values and diagnostics.
class Walker {
public:
    Walker(const std::vector<Option>& table, std::string file, LoadResult& out)
        : table_(table), file_(std::move(file)), out_(out) {
        for (const auto& o : table_) {
            by_section_[o.section].push_back(&o);
        }
    }

    void walk(const toml::table& root) {
        for (auto&& [key, node] : root) {
            const std::string section(key.str());
            const auto* tbl = node.as_table();
            if (tbl == nullptr) {
                unknown(position_of(key.source()), "unknown top-level key '" + section + "'",
                        "keys belong in a section such as [collector] or [postgresql]", section, section_names());
                continue;
            }
            walk_section(section, *tbl, position_of(key.source()));
        }
    }

    std::map<std::string, Position> positions; // qualified key -> where its value was written

private:
    void walk_section(const std::string& written, const toml::table& tbl, Position where) {
        const std::string canonical = canonical_section(written);
        const auto it = by_section_.find(canonical);
        if (it == by_section_.end()) {
            unknown(where, "unknown section [" + util::escape_control(written) + "]", "", written, section_names());
            return;
        }
        for (auto&& [key, node] : tbl) {
            const std::string name(key.str());
            const Option* opt = find(it->second, name);
            const Position at = position_of(node.source());
            if (opt == nullptr) {
                std::vector<std::string> names;
                for (const auto* o : it->second) {
                    names.push_back(o->name);
                }
                unknown(position_of(key.source()), "unknown key " + canonical + "." + util::escape_control(name), "",
                        name, names);
                continue;
            }
            if (!note_spelling(*opt, written, at)) {
                continue;
            }
            positions[opt->qualified()] = at;
            if (auto value = convert(*opt, node, at)) {
                check_and_set(*opt, *value, at);
            }
        }
    }

    // Records which spelling of a section set a key; the same key in [postgres] and [postgresql]
    // is an error.
    bool note_spelling(const Option& opt, const std::string& written, Position at) {
        const auto [it, inserted] = spelling_.emplace(opt.qualified(), written);
        if (!inserted && it->second != written) {
            error(at, opt.name + " is set in both [" + it->second + "] and [" + written + "]",
                  "[postgres] is the old spelling of [postgresql]; keep the key in one of them");
            return false;
        }
        return true;
    }

    std::optional<Value> convert(const Option& opt, const toml::node& node, Position at) {
        switch (opt.type) {
        case Type::integer:
            if (const auto* v = node.as_integer()) {
                return Value{v->get()};
            }
            break;
        case Type::boolean:
            if (const auto* v = node.as_boolean()) {
                return Value{v->get()};
            }
            break;
        case Type::string:
            if (const auto* v = node.as_string()) {
                return Value{v->get()};
            }
            break;
        case Type::string_list: return convert_list(opt, node, at);
        }
        error(at, opt.qualified() + " must be " + expected_name(opt.type) + ", got " + toml_type_name(node));
        return std::nullopt;
    }

    std::optional<Value> convert_list(const Option& opt, const toml::node& node, Position at) {
        if (const auto* s = node.as_string()) {
            return Value{util::split_list(s->get())};
        }
        const auto* arr = node.as_array();
        if (arr == nullptr) {
            error(at, opt.qualified() + " must be " + expected_name(opt.type) + ", got " + toml_type_name(node));
            return std::nullopt;
        }
        std::vector<std::string> items;
        for (const auto& element : *arr) {
            const auto* s = element.as_string();
            if (s == nullptr) {
                error(position_of(element.source()),
                      opt.qualified() + " must contain only strings, got " + toml_type_name(element));
                return std::nullopt;
            }
            items.push_back(s->get());
        }
        return Value{items};
    }

    void check_and_set(const Option& opt, const Value& value, Position at) {
        if (opt.type == Type::integer && (opt.min != 0 || opt.max != 0)) {
            const auto v = std::get<std::int64_t>(value);
            if (v < opt.min || v > opt.max) {
                error(at, opt.qualified() + " must be between " + std::to_string(opt.min) + " and " +
                              std::to_string(opt.max) + ", got " + std::to_string(v));
                return;
            }
        }
        if (opt.type == Type::string && !opt.choices.empty()) {
            const auto& v = std::get<std::string>(value);
            if (std::find(opt.choices.begin(), opt.choices.end(), v) == opt.choices.end()) {
                error(at, opt.qualified() + " must be one of " + util::join(opt.choices, ", ") + ", got \"" +
                              util::escape_control(v) + "\"");
                return;
            }
        }
        opt.set(out_.config, value);
    }

    void unknown(Position at, const std::string& message, const std::string& hint, const std::string& word,
                 const std::vector<std::string>& candidates) {
        const std::string guess = util::nearest(word, candidates);
        Diagnostic d{Severity::warning, file_, at.line, at.column, message, hint};
        if (!guess.empty()) {
            d.message += "; did you mean " + guess + "?";
        }
        out_.diagnostics.push_back(std::move(d));
    }

    void error(Position at, std::string message, std::string hint = "") {
        out_.diagnostics.push_back({Severity::error, file_, at.line, at.column, std::move(message), std::move(hint)});
    }

    static std::string canonical_section(const std::string& written) {
        for (const auto& [alias, canonical] : section_aliases()) {
            if (written == alias) {
                return canonical;
            }
        }
        return written;
    }

    static const Option* find(const std::vector<const Option*>& options, const std::string& name) {
        for (const auto* o : options) {
            if (o->name == name) {
                return o;
            }
        }
        return nullptr;
    }

    std::vector<std::string> section_names() const {
        std::vector<std::string> names;
        for (const auto& [name, options] : by_section_) {
            names.push_back(name);
        }
        return names;
    }

    const std::vector<Option>& table_;
    std::string file_;
    LoadResult& out_;
    std::map<std::string, std::vector<const Option*>> by_section_;
    std::map<std::string, std::string> spelling_;
};

// Returns true when value gives away secret: equal to it (4 characters or more), or holding it
// (8 characters or more, so that a short secret inside a path is not taken for a paste).
bool gives_away(const std::string& value, const std::string& secret) {
    if (secret.size() < 4) {
        return false;
    }
    return value == secret || (secret.size() >= 8 && value.find(secret) != std::string::npos);
}

// A secret pasted into a non-secret key (user, host, url, hostname, a path, ...) would be printed
// by --validate-config, pga-validate, the log and error messages, since only secret keys are
// redacted by type. Each such value is dropped (the key's default applies) with a warning that
// names the key and the kind of secret, never the value.
void drop_misplaced_secrets(LoadResult& result, const std::vector<Option>& table,
                            const std::map<std::string, Position>& positions) {
    auto& c = result.config;
    const std::vector<std::pair<std::string, std::string>> secrets = {
        {c.postgresql.password.reveal(), "the PostgreSQL password"},
        {c.backend.token.reveal(), "the backend token"},
        {c.backend.registration_secret.reveal(), "the registration secret"},
        {c.postgresql.password_inline, "the PostgreSQL password"},
        {c.backend.token_inline, "the backend token"},
    };
    const Config defaults = default_config({});
    for (const auto& o : table) {
        if (o.secret || (o.type != Type::string && o.type != Type::string_list)) {
            continue;
        }
        const auto value = o.get(c);
        std::vector<std::string> texts;
        if (o.type == Type::string) {
            texts.push_back(std::get<std::string>(value));
        } else {
            texts = std::get<std::vector<std::string>>(value);
        }
        const std::string* kind = nullptr;
        for (const auto& text : texts) {
            for (const auto& [secret, what] : secrets) {
                if (kind == nullptr && gives_away(text, secret)) {
                    kind = &what;
                }
            }
        }
        if (kind == nullptr) {
            continue;
        }
        o.set(c, o.get(defaults));
        Position at;
        if (auto it = positions.find(o.qualified()); it != positions.end()) {
            at = it->second;
        }
        result.diagnostics.push_back({Severity::warning, c.source_path, at.line, at.column,
                                      o.qualified() + " holds " + *kind + ": ignored, the default applies",
                                      "a secret pasted into the wrong key? remove it from " + o.qualified()});
    }
    if (c.collector.hostname.empty()) {
        c.collector.hostname = util::host_name(); // as the rules do for an unset hostname
    }
}

// Replaces every resolved secret value (and any inline secret) in the diagnostics with
// "<redacted>": defence in depth for a secret pasted into the wrong key.
void redact_secrets(LoadResult& result) {
    const auto& c = result.config;
    const std::vector<std::string> secrets = {c.postgresql.password.reveal(), c.backend.token.reveal(),
                                              c.backend.registration_secret.reveal(), c.postgresql.password_inline,
                                              c.backend.token_inline};
    for (auto& d : result.diagnostics) {
        for (const auto& secret : secrets) {
            if (secret.size() < 4) {
                continue;
            }
            for (auto* text : {&d.message, &d.hint}) {
                // The search resumes after the marker: a secret that is part of "<redacted>" would
                // otherwise be found again in each replacement, forever.
                constexpr std::string_view marker = "<redacted>";
                for (auto pos = text->find(secret); pos != std::string::npos;
                     pos = text->find(secret, pos + marker.size())) {
                    text->replace(pos, secret.size(), marker);
                }
            }
        }
    }
}

LoadResult load_document(std::string_view text, const std::string& name, const std::vector<MetricDefaults>& metrics,
                         const EnvLookup& env, bool check_permissions) {
    LoadResult result;
    result.config = default_config(metrics);
    result.config.source_path = name;
    toml::table root;
    try {
        root = toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        const auto at = position_of(e.source());
        result.diagnostics.push_back(
            {Severity::error, name, at.line, at.column, "invalid TOML: " + util::escape_control(e.description()), ""});
        return result;
    }
    const auto table = option_table(metrics);
    Walker walker(table, name, result);
    walker.walk(root);
    RuleContext ctx{name, env, check_permissions, {}};
    for (const auto& [key, pos] : walker.positions) {
        ctx.positions[key] = {pos.line, pos.column};
    }
    apply_rules(result, ctx);
    drop_misplaced_secrets(result, table, walker.positions);
    redact_secrets(result);
    return result;
}

} // namespace

EnvLookup process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        return v != nullptr ? std::optional<std::string>(v) : std::nullopt;
    };
}

std::string resolve_config_path(const std::optional<std::string>& from_cli, const EnvLookup& env) {
    if (from_cli && !from_cli->empty()) {
        return *from_cli;
    }
    if (auto from_env = env("PGANALYTICS_CONFIG"); from_env && !from_env->empty()) {
        return *from_env;
    }
    return k_default_config_path;
}

LoadResult load_file(const std::string& path, const std::vector<MetricDefaults>& metrics, const EnvLookup& env) {
    std::string error;
    const auto text = util::try_read_file(path, &error);
    if (!text) {
        LoadResult result;
        result.config = default_config(metrics);
        result.diagnostics.push_back({Severity::error, path, 0, 0, "cannot read configuration file: " + error,
                                      "pass the file with -c FILE or set PGANALYTICS_CONFIG"});
        return result;
    }
    return load_document(*text, path, metrics, env, true);
}

LoadResult load_text(std::string_view text, const std::string& name, const std::vector<MetricDefaults>& metrics,
                     const EnvLookup& env) {
    return load_document(text, name, metrics, env, false);
}

} // namespace pga::config
