// Converting result rows to JSON objects by a small column table: each column is read as an
// integer, a number, text or a boolean, and SQL NULL becomes JSON null (never 0 or "").
#pragma once

#include "pga/pg/result.hpp"

#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace pga::collectors {

enum class Kind { integer, number, text, boolean };

struct Field {
    const char* column;
    Kind kind;
};

// Returns {column: value} for each field of row `row`; a column missing from the result is null.
nlohmann::json row_object(const pg::Result& r, int row, std::span<const Field> fields);

// Appends members computed from row `row` (each as `,"key":value`, see append_member) after the
// fields of that row's object.
using RowExtra = std::function<void(int row, std::string& out)>;

// Writes rows of one result as row_object() makes them, straight to text: the columns are looked
// up once, keys in field order, then extra's members.
class RowWriter {
public:
    RowWriter(const pg::Result& r, std::span<const Field> fields);
    RowWriter(pg::Result&& r, std::span<const Field> fields) = delete; // keeps a reference to r
    void append(std::string& out, int row, const RowExtra& extra = {}) const;

private:
    const pg::Result& r_;
    std::span<const Field> fields_;
    std::vector<int> columns_;
    std::vector<std::string> keys_; // "\"column\":"
};

// Returns the JSON text of an array of every row of r as row_object() makes it, written straight
// from the result: no document tree per row, the columns looked up once (keys in field order),
// then extra's members.
std::string rows_json(const pg::Result& r, std::span<const Field> fields, const RowExtra& extra = {});

// Appends `,"key":value` to out (value as collect::dump_json writes it, a float in the shortest
// form that reads back as the same double).
void append_member(std::string& out, std::string_view key, const nlohmann::json& value);

// Appends `,"key":"text"` (null when text is null) without copying text into a document.
void append_text_member(std::string& out, std::string_view key, const std::string* text);

// Returns the JSON text of object head with members whose values are JSON text already (the lists
// a RowWriter wrote) added after head's own.
std::string object_text(const nlohmann::json& head,
                        std::initializer_list<std::pair<std::string_view, std::string_view>> json_members);

// Returns SQL rendering timestamptz expression `expr` as RFC3339 UTC text named `name` (NULL stays NULL).
std::string rfc3339_sql(const std::string& expr, const std::string& name);

} // namespace pga::collectors
