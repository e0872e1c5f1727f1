// A small JSON Schema validator for the subset docs/payload.schema.json uses: type (one or a list),
// enum, const, required, properties, additionalProperties (bool or schema), items, minimum, minItems,
// pattern, allOf, anyOf, if/then, and local $ref ("#/$defs/name"). Unknown keywords fail loudly so
// the schema cannot silently use something this does not check.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pga::test {

// Returns one message per violation of instance against schema ("path: what"); empty when valid.
// Throws std::runtime_error on a keyword outside the supported subset or an unresolvable $ref.
std::vector<std::string> validate_json(const nlohmann::json& schema, const nlohmann::json& instance);

} // namespace pga::test
