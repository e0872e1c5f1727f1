// A small JSON Schema validator: see json_schema.hpp.
#include "json_schema.hpp"

#include <regex>
#include <set>
#include <stdexcept>

namespace pga::test {

namespace {

using json = nlohmann::json;

const std::set<std::string> k_known = {"$schema",
                                       "$id",
                                       "$defs",
                                       "title",
                                       "description",
                                       "type",
                                       "enum",
                                       "const",
                                       "required",
                                       "properties",
                                       "additionalProperties",
                                       "items",
                                       "minimum",
                                       "minItems",
                                       "pattern",
                                       "allOf",
                                       "anyOf",
                                       "if",
                                       "then",
                                       "$ref",
                                       "examples",
                                       "format"};

class Validator {
public:
    explicit Validator(const json& root) : root_(root) {}

    void check(const json& s, const json& v, const std::string& path, std::vector<std::string>& errs) const {
        for (const auto& [k, _] : s.items()) {
            if (k_known.count(k) == 0) {
                throw std::runtime_error("json_schema: unsupported keyword " + k + " at " + path);
            }
        }
        if (s.contains("$ref")) {
            check(resolve(s["$ref"].get<std::string>()), v, path, errs);
        }
        if (s.contains("type") && !type_ok(s["type"], v)) {
            errs.push_back(path + ": expected type " + s["type"].dump() + ", got " + v.dump().substr(0, 80));
            return;
        }
        if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end()) {
            errs.push_back(path + ": " + v.dump() + " not in " + s["enum"].dump());
        }
        if (s.contains("const") && s["const"] != v) {
            errs.push_back(path + ": expected " + s["const"].dump());
        }
        if (s.contains("minimum") && v.is_number() && v.get<double>() < s["minimum"].get<double>()) {
            errs.push_back(path + ": below minimum " + s["minimum"].dump());
        }
        if (s.contains("pattern") && v.is_string() &&
            !std::regex_search(v.get<std::string>(), std::regex(s["pattern"].get<std::string>()))) {
            errs.push_back(path + ": " + v.dump() + " does not match " + s["pattern"].dump());
        }
        object(s, v, path, errs);
        array(s, v, path, errs);
        combinators(s, v, path, errs);
    }

private:
    const json& resolve(const std::string& ref) const {
        const std::string prefix = "#/$defs/";
        if (ref.rfind(prefix, 0) != 0 || !root_["$defs"].contains(ref.substr(prefix.size()))) {
            throw std::runtime_error("json_schema: cannot resolve " + ref);
        }
        return root_["$defs"][ref.substr(prefix.size())];
    }

    static bool one_type_ok(const std::string& t, const json& v) {
        if (t == "object")
            return v.is_object();
        if (t == "array")
            return v.is_array();
        if (t == "string")
            return v.is_string();
        if (t == "integer")
            return v.is_number_integer() ||
                   (v.is_number_float() &&
                    v.get<double>() == static_cast<double>(static_cast<long long>(v.get<double>())));
        if (t == "number")
            return v.is_number();
        if (t == "boolean")
            return v.is_boolean();
        if (t == "null")
            return v.is_null();
        throw std::runtime_error("json_schema: unknown type " + t);
    }

    static bool type_ok(const json& t, const json& v) {
        if (t.is_string()) {
            return one_type_ok(t.get<std::string>(), v);
        }
        for (const auto& one : t) {
            if (one_type_ok(one.get<std::string>(), v)) {
                return true;
            }
        }
        return false;
    }

    void object(const json& s, const json& v, const std::string& path, std::vector<std::string>& errs) const {
        if (!v.is_object()) {
            return;
        }
        for (const auto& r : s.value("required", json::array())) {
            if (!v.contains(r.get<std::string>())) {
                errs.push_back(path + ": missing required key " + r.get<std::string>());
            }
        }
        const auto props = s.value("properties", json::object());
        for (const auto& [k, val] : v.items()) {
            if (props.contains(k)) {
                check(props[k], val, path + "." + k, errs);
            } else if (s.contains("additionalProperties")) {
                const auto& ap = s["additionalProperties"];
                if (ap.is_boolean() && !ap.get<bool>()) {
                    errs.push_back(path + ": unexpected key " + k);
                } else if (ap.is_object()) {
                    check(ap, val, path + "." + k, errs);
                }
            }
        }
    }

    void array(const json& s, const json& v, const std::string& path, std::vector<std::string>& errs) const {
        if (!v.is_array()) {
            return;
        }
        if (s.contains("minItems") && v.size() < s["minItems"].get<std::size_t>()) {
            errs.push_back(path + ": fewer than " + s["minItems"].dump() + " items");
        }
        if (s.contains("items")) {
            for (std::size_t i = 0; i < v.size(); ++i) {
                check(s["items"], v[i], path + "[" + std::to_string(i) + "]", errs);
            }
        }
    }

    void combinators(const json& s, const json& v, const std::string& path, std::vector<std::string>& errs) const {
        for (const auto& sub : s.value("allOf", json::array())) {
            check(sub, v, path, errs);
        }
        if (s.contains("anyOf")) {
            bool any = false;
            for (const auto& sub : s["anyOf"]) {
                std::vector<std::string> e;
                check(sub, v, path, e);
                any = any || e.empty();
            }
            if (!any) {
                errs.push_back(path + ": matches none of anyOf");
            }
        }
        if (s.contains("if")) {
            std::vector<std::string> e;
            check(s["if"], v, path, e);
            if (e.empty() && s.contains("then")) {
                check(s["then"], v, path, errs);
            }
        }
    }

    const json& root_;
};

} // namespace

std::vector<std::string> validate_json(const nlohmann::json& schema, const nlohmann::json& instance) {
    std::vector<std::string> errs;
    Validator(schema).check(schema, instance, "$", errs);
    return errs;
}

} // namespace pga::test
