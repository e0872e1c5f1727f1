// Parsing of PostgreSQL server log lines: see log_parse.hpp.
#include "pga/collectors/log_parse.hpp"

#include "pga/collectors/sql_obfuscate.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace pga::collectors {

namespace {

constexpr std::array<std::string_view, 19> k_levels = {
    "DEBUG1", "DEBUG2", "DEBUG3", "DEBUG4", "DEBUG5",  "LOG",       "INFO",  "NOTICE",   "WARNING", "ERROR",
    "FATAL",  "PANIC",  "DETAIL", "HINT",   "CONTEXT", "STATEMENT", "QUERY", "LOCATION", "DEBUG"};

// An entry being assembled: raw text per part, obfuscated only once complete.
struct Pending {
    LogLine head;
    std::vector<std::pair<std::string, std::string>> parts; // (level, raw text); parts[0] is the message
};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Returns true when s starts with "YYYY-MM-DD HH:MM:SS".
bool starts_with_timestamp(std::string_view s) {
    constexpr std::string_view shape = "dddd-dd-dd dd:dd:dd";
    if (s.size() < shape.size()) {
        return false;
    }
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i]) {
            return false;
        }
    }
    return true;
}

int to_int(std::string_view s) {
    int v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

// Returns the offset east of UTC of a numeric zone ("+02", "-0530", "+05:30"), or nullopt.
std::optional<std::int64_t> numeric_zone(std::string_view z) {
    if (z.size() < 3 || (z[0] != '+' && z[0] != '-') || !is_digit(z[1]) || !is_digit(z[2])) {
        return std::nullopt;
    }
    std::string digits;
    for (const char c : z.substr(1)) {
        if (is_digit(c)) {
            digits += c;
        }
    }
    const std::int64_t h = to_int(std::string_view(digits).substr(0, 2));
    const std::int64_t m = digits.size() >= 4 ? to_int(std::string_view(digits).substr(2, 2)) : 0;
    return (z[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
}

// Finds the level keyword followed by ":  " in rest; returns its position or npos.
std::size_t find_level(std::string_view rest, std::string_view* level) {
    for (std::size_t pos = rest.find(":  "); pos != std::string_view::npos; pos = rest.find(":  ", pos + 1)) {
        std::size_t start = pos;
        while (start > 0 && is_digit(rest[start - 1])) {
            --start;
        }
        while (start > 0 && rest[start - 1] >= 'A' && rest[start - 1] <= 'Z') {
            --start;
        }
        const auto word = rest.substr(start, pos - start);
        for (const auto l : k_levels) {
            if (word == l) {
                *level = word;
                return start;
            }
        }
    }
    return std::string_view::npos;
}

std::string clip(std::string s, std::size_t max) {
    if (s.size() > max) {
        s.resize(max);
    }
    return s;
}

// Returns text with the query after `marker` obfuscated (or dropped when that fails).
std::string obfuscate_after(const std::string& text, std::string_view marker) {
    const auto pos = text.find(marker);
    if (pos == std::string::npos) {
        return text;
    }
    const auto q = obfuscate_sql(std::string_view(text).substr(pos + marker.size()));
    return text.substr(0, pos + marker.size()) + (q ? *q : "[query text omitted]");
}

// Returns the JSON of a complete entry: query-bearing parts obfuscated (null when that fails).
nlohmann::json finish(const Pending& p, std::int64_t utc_offset_s, std::size_t max) {
    const auto time = log_time_utc(p.head, utc_offset_s);
    nlohmann::json o = {{"log_time", time ? nlohmann::json(*time) : nlohmann::json(nullptr)},
                        {"level", p.head.level},
                        {"pid", p.head.pid ? nlohmann::json(*p.head.pid) : nlohmann::json(nullptr)},
                        {"message", clip(obfuscate_after(p.parts[0].second, "statement: "), max)}};
    for (std::size_t i = 1; i < p.parts.size(); ++i) {
        const auto& [level, text] = p.parts[i];
        const bool sql = level == "STATEMENT" || level == "QUERY" || level == "CONTEXT" || level == "DETAIL";
        const auto clean = sql ? obfuscate_sql(text) : std::optional<std::string>(text);
        std::string key = level == "QUERY" ? "statement" : level;
        for (auto& c : key) {
            c = static_cast<char>(c | 0x20);
        }
        o[key] = clean ? nlohmann::json(clip(*clean, max)) : nlohmann::json(nullptr);
    }
    return o;
}

bool is_extra(const std::string& level) {
    return level == "DETAIL" || level == "HINT" || level == "CONTEXT" || level == "STATEMENT" || level == "QUERY" ||
           level == "LOCATION";
}

} // namespace

std::optional<LogLine> parse_log_line(std::string_view line) {
    if (!starts_with_timestamp(line)) {
        return std::nullopt;
    }
    std::size_t i = 19;
    while (i < line.size() && (is_digit(line[i]) || line[i] == '.')) {
        ++i;
    }
    LogLine out;
    out.local_time = std::string(line.substr(0, i));
    const auto zone_start = i < line.size() && line[i] == ' ' ? i + 1 : i;
    const auto zone_end = line.find(' ', zone_start);
    out.zone = std::string(line.substr(zone_start, zone_end - zone_start));
    const auto rest = zone_end == std::string_view::npos ? std::string_view() : line.substr(zone_end);
    std::string_view level;
    const auto at = find_level(rest, &level);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    if (const auto open = rest.find('['); open != std::string_view::npos && open < at) {
        std::int64_t pid = 0;
        const auto close = rest.find(']', open);
        if (std::from_chars(rest.data() + open + 1, rest.data() + close, pid).ec == std::errc()) {
            out.pid = pid;
        }
    }
    out.level = std::string(level);
    out.message = std::string(rest.substr(at + level.size() + 3));
    return out;
}

std::optional<std::string> log_time_utc(const LogLine& line, std::int64_t utc_offset_s) {
    const std::string_view t = line.local_time;
    if (t.size() < 19) {
        return std::nullopt;
    }
    using namespace std::chrono;
    const year_month_day ymd{year{to_int(t.substr(0, 4))}, month{static_cast<unsigned>(to_int(t.substr(5, 2)))},
                             day{static_cast<unsigned>(to_int(t.substr(8, 2)))}};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    std::int64_t ms = 0;
    if (t.size() > 20 && t[19] == '.') {
        std::string frac(t.substr(20, 3));
        frac.resize(3, '0');
        ms = to_int(frac);
    }
    const auto offset = numeric_zone(line.zone).value_or(utc_offset_s);
    const auto local = sys_days(ymd) + hours(to_int(t.substr(11, 2))) + minutes(to_int(t.substr(14, 2))) +
                       seconds(to_int(t.substr(17, 2))) + milliseconds(ms);
    const auto utc = local - seconds(offset);
    const auto day_start = floor<days>(utc);
    const year_month_day d{day_start};
    const hh_mm_ss hms{floor<milliseconds>(utc - day_start)};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
    return std::string(buf);
}

std::vector<nlohmann::json> log_entries(const std::vector<std::string>& lines, std::int64_t utc_offset_s,
                                        std::size_t max_message_bytes) {
    std::vector<nlohmann::json> out;
    std::optional<Pending> pending;
    for (const auto& raw : lines) {
        auto line = parse_log_line(raw);
        if (!line) {
            if (pending) {
                pending->parts.back().second += "\n" + raw; // continues the last part (query text stays raw)
            }
            continue;
        }
        if (pending && is_extra(line->level)) {
            pending->parts.emplace_back(line->level, std::move(line->message));
            continue;
        }
        if (pending) {
            out.push_back(finish(*pending, utc_offset_s, max_message_bytes));
        }
        std::string message = std::move(line->message);
        pending = Pending{std::move(*line), {{"", std::move(message)}}};
    }
    if (pending) {
        out.push_back(finish(*pending, utc_offset_s, max_message_bytes));
    }
    return out;
}

} // namespace pga::collectors
