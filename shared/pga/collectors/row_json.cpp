// Row to JSON conversion and small shared helpers: see row_json.hpp and file_reader.hpp.
#include "pga/collectors/row_json.hpp"

#include "pga/collect/envelope.hpp"
#include "pga/collectors/file_reader.hpp"
#include "pga/util/files.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

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

template <typename T> void append_number(std::string& out, T v) {
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    out.append(buf, end);
}

// The shortest text that reads back as d (std::to_chars), always with a fraction or an exponent
// so that it reads back as a float, as the serializer writes it ("5.0"); NaN and infinities as null.
void append_double(std::string& out, double d) {
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    const auto start = out.size();
    append_number(out, d);
    if (out.find_first_of(".e", start) == std::string::npos) {
        out += ".0";
    }
}

// Returns whether t is a JSON number with a fraction and without an exponent, short enough that
// it reads back as the float strtod makes of it (PostgreSQL's float8 and numeric text for
// ordinary values; "5" is left to append_double, which writes it as the float 5.0).
bool plain_json_number(std::string_view t) {
    if (t.empty() || t.size() > 40) {
        return false;
    }
    std::size_t i = t[0] == '-' ? 1 : 0;
    const auto digits = [&] {
        const auto start = i;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
            ++i;
        }
        return i - start;
    };
    const auto whole = digits();
    if (whole == 0 || (whole > 1 && t[i - whole] == '0')) {
        return false;
    }
    if (i == t.size() || t[i] != '.') {
        return false;
    }
    ++i;
    return digits() > 0 && i == t.size();
}

// Appends a Kind::number value: PostgreSQL's own text when it is already a plain JSON number (no
// parse and no print), else the double strtod reads from it (0 when it reads none).
void append_number_text(std::string& out, std::string_view t) {
    if (plain_json_number(t)) {
        out += t;
        return;
    }
    char* end = nullptr;
    const double d = std::strtod(t.data(), &end); // the value is NUL-terminated (pg::Result::view)
    append_double(out, end == t.data() || end != t.data() + t.size() ? 0.0 : d);
}

void append_value(std::string& out, const pg::Result& r, int row, int c, Kind kind) {
    const auto t = r.view(row, c);
    if (!t) {
        out += "null";
        return;
    }
    switch (kind) {
    case Kind::integer: {
        std::int64_t i = 0;
        const auto [ptr, ec] = std::from_chars(t->data(), t->data() + t->size(), i);
        if (ec == std::errc{} && ptr == t->data() + t->size()) {
            append_number(out, i);
        } else {
            append_number_text(out, *t);
        }
        break;
    }
    case Kind::number: append_number_text(out, *t); break;
    case Kind::text: append_string(out, *t); break;
    case Kind::boolean: out += *t == "t" || *t == "true" || *t == "on" ? "true" : "false"; break;
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
    switch (value.type()) { // scalars written directly: a dump sets up a serializer each time
    case nlohmann::json::value_t::null: out += "null"; break;
    case nlohmann::json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; break;
    case nlohmann::json::value_t::number_integer: append_number(out, value.get<std::int64_t>()); break;
    case nlohmann::json::value_t::number_unsigned: append_number(out, value.get<std::uint64_t>()); break;
    case nlohmann::json::value_t::number_float: append_double(out, value.get<double>()); break;
    case nlohmann::json::value_t::string: append_string(out, value.get_ref<const std::string&>()); break;
    default: out += collect::dump_json(value); break;
    }
}

void append_text_member(std::string& out, std::string_view key, const std::string* text) {
    out += ',';
    append_string(out, key);
    out += ':';
    if (text == nullptr) {
        out += "null";
    } else {
        append_string(out, *text);
    }
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
