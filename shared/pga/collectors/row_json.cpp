// Row to JSON conversion and small shared helpers: see row_json.hpp and file_reader.hpp.
#include "pga/collectors/row_json.hpp"

#include "pga/collectors/file_reader.hpp"
#include "pga/util/files.hpp"

namespace pga::collectors {

FileReader real_file_reader() {
    return [](const std::string& path) { return util::try_read_file(path, nullptr); };
}

nlohmann::json row_object(const pg::Result& r, int row, std::span<const Field> fields) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& f : fields) {
        const int c = r.column(f.column);
        nlohmann::json& v = o[f.column];
        if (c < 0 || r.is_null(row, c)) {
            v = nullptr;
            continue;
        }
        switch (f.kind) {
        case Kind::integer: {
            const auto i = r.get_int(row, c);
            v = i ? nlohmann::json(*i) : nlohmann::json(r.get_double(row, c).value_or(0));
            break;
        }
        case Kind::number: v = r.get_double(row, c).value_or(0); break;
        case Kind::text: v = std::string(r.text(row, c)); break;
        case Kind::boolean: v = r.get_bool(row, c).value_or(false); break;
        }
    }
    return o;
}

std::string rfc3339_sql(const std::string& expr, const std::string& name) {
    return "pg_catalog.to_char(" + expr + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS " + name;
}

} // namespace pga::collectors
