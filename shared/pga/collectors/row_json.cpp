// Row to JSON conversion and small shared helpers: see row_json.hpp and file_reader.hpp.
#include "pga/collectors/row_json.hpp"

#include "pga/collect/envelope.hpp"
#include "pga/collectors/file_reader.hpp"
#include "pga/util/files.hpp"

#include <algorithm>
#include <charconv>

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

namespace {

// Appends s as a JSON string, written as collect::dump_json writes it (invalid UTF-8 replaced).
void append_string(std::string& out, std::string_view s) {
    const bool plain = std::all_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
    });
    if (plain) {
        out += '"';
        out += s;
        out += '"';
    } else {
        out += collect::dump_json(nlohmann::json(std::string(s)));
    }
}

void append_double(std::string& out, double d) {
    out += collect::dump_json(nlohmann::json(d)); // the serializer's shortest form; NaN and inf as null
}

void append_value(std::string& out, const pg::Result& r, int row, int c, Kind kind) {
    if (c < 0 || r.is_null(row, c)) {
        out += "null";
        return;
    }
    switch (kind) {
    case Kind::integer:
        if (const auto i = r.get_int(row, c)) {
            char buf[24];
            const auto end = std::to_chars(buf, buf + sizeof buf, *i).ptr;
            out.append(buf, end);
        } else {
            append_double(out, r.get_double(row, c).value_or(0));
        }
        break;
    case Kind::number: append_double(out, r.get_double(row, c).value_or(0)); break;
    case Kind::text: append_string(out, r.text(row, c)); break;
    case Kind::boolean: out += r.get_bool(row, c).value_or(false) ? "true" : "false"; break;
    }
}

} // namespace

RowWriter::RowWriter(const pg::Result& r, std::span<const Field> fields) : r_(r), fields_(fields) {
    for (const auto& f : fields) {
        columns_.push_back(r.column(f.column));
        std::string key;
        append_string(key, f.column);
        keys_.push_back(key + ':');
    }
}

void RowWriter::append(std::string& out, int row, const RowExtra& extra) const {
    out += '{';
    for (std::size_t i = 0; i < fields_.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += keys_[i];
        append_value(out, r_, row, columns_[i], fields_[i].kind);
    }
    if (extra) {
        const auto mark = out.size();
        extra(row, out);
        if (fields_.empty() && out.size() > mark && out[mark] == ',') {
            out.erase(mark, 1); // the first member
        }
    }
    out += '}';
}

std::string rows_json(const pg::Result& r, std::span<const Field> fields, const RowExtra& extra) {
    const RowWriter writer(r, fields);
    std::string out = "[";
    for (int row = 0; row < r.rows(); ++row) {
        if (row > 0) {
            out += ',';
        }
        writer.append(out, row, extra);
    }
    out += ']';
    return out;
}

void append_member(std::string& out, std::string_view key, const nlohmann::json& value) {
    out += ',';
    append_string(out, key);
    out += ':';
    out += collect::dump_json(value);
}

std::string object_text(const nlohmann::json& head,
                        std::initializer_list<std::pair<std::string_view, std::string_view>> json_members) {
    std::size_t bytes = 0;
    for (const auto& [key, text] : json_members) {
        bytes += key.size() + text.size() + 4;
    }
    auto out = collect::dump_json(head);
    out.reserve(out.size() + bytes);
    out.pop_back(); // the closing brace: the members go last
    for (const auto& [key, text] : json_members) {
        if (out.size() > 1) {
            out += ',';
        }
        append_string(out, key);
        out += ':';
        out += text;
    }
    out += '}';
    return out;
}

std::string rfc3339_sql(const std::string& expr, const std::string& name) {
    return "pg_catalog.to_char(" + expr + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS " + name;
}

} // namespace pga::collectors
