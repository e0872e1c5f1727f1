// Query result accessors: see result.hpp.
#include "pga/pg/result.hpp"

#include <charconv>
#include <cstdlib>
#include <libpq-fe.h>

namespace pga::pg {

void Result::Deleter::operator()(pg_result* r) const {
    PQclear(r);
}

Result::Result(pg_result* res) : res_(res) {
    const int n = PQnfields(res);
    columns_.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        columns_.emplace_back(PQfname(res, i));
    }
}

Result::Result(std::vector<std::string> columns, std::vector<FakeRow> rows)
    : columns_(std::move(columns)), fake_rows_(std::move(rows)) {}

int Result::rows() const {
    return res_ ? PQntuples(res_.get()) : static_cast<int>(fake_rows_.size());
}

int Result::columns() const {
    return static_cast<int>(columns_.size());
}

int Result::column(std::string_view name) const {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (columns_[i] == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

const std::string& Result::column_name(int c) const {
    return columns_.at(static_cast<std::size_t>(c));
}

bool Result::is_null(int row, int col) const {
    if (col < 0) {
        return true;
    }
    if (res_) {
        return PQgetisnull(res_.get(), row, col) != 0;
    }
    const auto& value = fake_rows_.at(static_cast<std::size_t>(row)).at(static_cast<std::size_t>(col));
    return !value.has_value();
}

std::optional<std::string_view> Result::view(int row, int col) const {
    if (col < 0) {
        return std::nullopt;
    }
    if (res_) {
        if (PQgetisnull(res_.get(), row, col) != 0) {
            return std::nullopt;
        }
        return std::string_view(PQgetvalue(res_.get(), row, col),
                                static_cast<std::size_t>(PQgetlength(res_.get(), row, col)));
    }
    const auto& value = fake_rows_.at(static_cast<std::size_t>(row)).at(static_cast<std::size_t>(col));
    return value ? std::optional<std::string_view>(*value) : std::nullopt;
}

std::string_view Result::text(int row, int col) const {
    return view(row, col).value_or(std::string_view());
}

std::optional<std::string> Result::get(int row, int col) const {
    const auto t = view(row, col);
    return t ? std::optional<std::string>(*t) : std::nullopt;
}

std::optional<std::int64_t> Result::get_int(int row, int col) const {
    const auto t = view(row, col);
    if (!t) {
        return std::nullopt;
    }
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
    if (ec != std::errc{} || ptr != t->data() + t->size()) {
        return std::nullopt;
    }
    return v;
}

std::optional<double> Result::get_double(int row, int col) const {
    const auto t = view(row, col);
    if (!t) {
        return std::nullopt;
    }
    // Values are NUL-terminated (libpq's, and a fake row's std::string): strtod reads in place.
    char* end = nullptr;
    const double v = std::strtod(t->data(), &end);
    if (end == t->data() || end != t->data() + t->size()) {
        return std::nullopt;
    }
    return v;
}

std::optional<bool> Result::get_bool(int row, int col) const {
    const auto t = view(row, col);
    if (!t) {
        return std::nullopt;
    }
    return *t == "t" || *t == "true" || *t == "on";
}

} // namespace pga::pg
