// A query result: wraps a libpq PGresult (owned), or holds rows built by a test fake. Accessors
// state the shape they expect and return NULL as nullopt.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_result;

namespace pga::pg {

class Result {
public:
    using FakeRow = std::vector<std::optional<std::string>>;

    Result() = default;
    // Takes ownership of a PGresult.
    explicit Result(pg_result* res);
    // Builds a result from literal rows (unit-test fakes).
    Result(std::vector<std::string> columns, std::vector<FakeRow> rows);

    int rows() const;
    int columns() const;
    // Returns the index of the named column, or -1.
    int column(std::string_view name) const;
    const std::string& column_name(int c) const;
    bool is_null(int row, int col) const;
    // Returns the text value, nullopt for NULL or a missing column (col < 0): one look at the
    // null flag, for callers that read every value of a large result.
    std::optional<std::string_view> view(int row, int col) const;
    // Returns the text value, "" for NULL.
    std::string_view text(int row, int col) const;
    // Returns the value as text / integer / double, nullopt for NULL or unparsable values.
    std::optional<std::string> get(int row, int col) const;
    std::optional<std::int64_t> get_int(int row, int col) const;
    std::optional<double> get_double(int row, int col) const;
    // Returns true for 't'/'true'/'on'; nullopt for NULL.
    std::optional<bool> get_bool(int row, int col) const;

private:
    struct Deleter {
        void operator()(pg_result* r) const;
    };
    std::unique_ptr<pg_result, Deleter> res_;
    std::vector<std::string> columns_;
    std::vector<FakeRow> fake_rows_;
};

} // namespace pga::pg
