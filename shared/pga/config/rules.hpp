// Cross-field rules run after every key was read: pool sizes, TLS pairs, URLs, readable files,
// secret resolution (files, environment, inline) and the permission check of the file itself.
#pragma once

#include "pga/config/loader.hpp"

#include <map>
#include <utility>

namespace pga::config {

struct RuleContext {
    std::string file;
    EnvLookup env;
    bool check_permissions = true;
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> positions; // "section.key" -> line, column
};

// Applies every rule to result.config, appending diagnostics; fills in defaults that depend on
// the host (hostname) and the resolved secrets.
void apply_rules(LoadResult& result, const RuleContext& ctx);

} // namespace pga::config
