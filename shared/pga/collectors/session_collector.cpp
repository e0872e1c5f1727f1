// Shared plumbing of the catalog collectors: see session_collector.hpp.
#include "pga/collectors/session_collector.hpp"

#include <charconv>

namespace pga::collectors {

void SessionCollector::collect(const collect::Context& ctx, collect::Output& out) {
    const std::vector<std::string> main_db{ctx.config.postgresql.database};
    for (const auto& db : per_database_ ? ctx.databases : main_db) {
        try {
            auto conn = ctx.borrow(db);
            read_(*conn, ctx, out);
        } catch (const pg::Error& e) {
            out.errors.push_back({per_database_ ? db : "", e.what()});
        }
    }
}

nlohmann::json rows_array(const pg::Result& r, std::span<const Field> fields) {
    auto out = nlohmann::json::array();
    for (int i = 0; i < r.rows(); ++i) {
        out.push_back(row_object(r, i, fields));
    }
    return out;
}

nlohmann::json generic_row(const pg::Result& r, int row) {
    nlohmann::json o = nlohmann::json::object();
    for (int c = 0; c < r.columns(); ++c) {
        nlohmann::json& v = o[r.column_name(c)];
        if (r.is_null(row, c)) {
            v = nullptr;
        } else if (const auto i = r.get_int(row, c)) {
            v = *i;
        } else if (const auto d = r.get_double(row, c)) {
            v = *d;
        } else {
            v = std::string(r.text(row, c));
        }
    }
    return o;
}

std::vector<std::int64_t> parse_int_array(std::string_view text) {
    std::vector<std::int64_t> out;
    if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
        return out;
    }
    text = text.substr(1, text.size() - 2);
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto item = text.substr(0, comma);
        std::int64_t v = 0;
        if (std::from_chars(item.data(), item.data() + item.size(), v).ec == std::errc()) {
            out.push_back(v);
        }
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    }
    return out;
}

std::int64_t first_int(const pg::Result& r, const char* name, std::int64_t fallback) {
    const int c = r.column(name);
    return r.rows() > 0 && c >= 0 ? r.get_int(0, c).value_or(fallback) : fallback;
}

} // namespace pga::collectors
