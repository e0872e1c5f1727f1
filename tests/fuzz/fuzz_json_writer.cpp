// libFuzzer target: how database strings (names, query text, log lines, settings) become JSON.
// The input is cut into byte strings that go, as values and as object keys, through the paths
// the collector uses: collectors::row_object and collectors::rows_json over a fake result (text,
// integer, number, boolean columns), collectors::log_entries over log lines, the batch envelope
// (collect::make_envelope, collect::envelope_body over collect::Metric texts, collect::dump_json), the splice of type,
// timestamp and status into objects collectors write as text (collect::ok_objects) and the 413
// split (deliver::split_metrics, deliver::dump_json). Properties: every text is valid UTF-8 (checked by an independent
// validator) and valid JSON (parsed back by nlohmann::json, which rejects invalid UTF-8); valid
// UTF-8 strings come back unchanged; util::is_valid_utf8 agrees with the independent validator;
// util::escape_control leaves no control character and no invalid UTF-8.
#include "fuzz_check.hpp"
#include "pga/collect/envelope.hpp"
#include "pga/collect/manager_internal.hpp"
#include "pga/collectors/log_parse.hpp"
#include "pga/collectors/row_json.hpp"
#include "pga/deliver/split.hpp"
#include "pga/util/strings.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

// Returns the parsed text; aborts when it is not valid UTF-8 or not valid JSON.
json parse_back(const std::string& text) {
    PGA_FUZZ_CHECK(pga::fuzz::strict_utf8(text));
    json parsed;
    bool parses = true;
    try {
        parsed = json::parse(text);
    } catch (const json::exception& e) {
        std::fprintf(stderr, "not valid JSON: %s\n", e.what());
        parses = false;
    }
    PGA_FUZZ_CHECK(parses);
    return parsed;
}

void check_escape_control(const std::string& s) {
    const auto out = pga::util::escape_control(s);
    PGA_FUZZ_CHECK(pga::fuzz::strict_utf8(out));
    for (unsigned char c : out) {
        PGA_FUZZ_CHECK(c >= 0x20 && c != 0x7F);
    }
    if (pga::fuzz::strict_utf8(s) && s.find_first_of("\\\n\r\t") == std::string::npos) {
        bool plain = true;
        for (unsigned char c : s) {
            plain = plain && c >= 0x20 && c != 0x7F;
        }
        if (plain) {
            PGA_FUZZ_CHECK(out == s);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    std::vector<std::string> strings;
    while (in.remaining_bytes() > 0 && strings.size() < 16) {
        strings.push_back(in.ConsumeRandomLengthString(256));
    }
    if (strings.empty()) {
        return 0;
    }
    const auto pick = [&](std::size_t i) -> const std::string& { return strings[i % strings.size()]; };

    for (const auto& s : strings) {
        PGA_FUZZ_CHECK(pga::util::is_valid_utf8(s) == pga::fuzz::strict_utf8(s));
        check_escape_control(s);
    }

    // A catalog row as a collector reads it: every column text is a database string.
    static constexpr std::array<pga::collectors::Field, 5> fields = {{{"datname", pga::collectors::Kind::text},
                                                                      {"n", pga::collectors::Kind::integer},
                                                                      {"x", pga::collectors::Kind::number},
                                                                      {"b", pga::collectors::Kind::boolean},
                                                                      {"setting", pga::collectors::Kind::text}}};
    pga::pg::Result::FakeRow row;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        row.push_back(pick(i).size() == 1 && pick(i)[0] == '\0' ? std::nullopt : std::optional<std::string>(pick(i)));
    }
    const pga::pg::Result result({"datname", "n", "x", "b", "setting"}, {row});
    const auto object = pga::collectors::row_object(result, 0, fields);
    // The same row written straight to text (collectors::rows_json) is the same object.
    const auto row_text = parse_back(pga::collectors::rows_json(result, fields));
    PGA_FUZZ_CHECK(row_text.size() == 1 && row_text[0].dump() == parse_back(pga::collect::dump_json(object)).dump());

    // A metric object with database strings as values and as keys, nested like pg_stats/pg_schema.
    json metric = {{"type", "fuzz"}, {"timestamp", "2024-01-01T00:00:00Z"}, {"database", pick(0)}};
    json per_table = json::object();
    for (std::size_t i = 0; i < strings.size(); ++i) {
        per_table[pick(i)] = {{"name", pick(i + 1)}, {"query", pick(i + 2)}};
    }
    metric["tables"] = per_table;
    metric["rows"] = json::array({object, object});

    // Log lines: whatever the server wrote, with the prefix a stderr log has.
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < strings.size(); ++i) {
        lines.push_back(i % 2 == 0 ? "2024-05-01 10:00:00.123 UTC [42] " + pick(i) : pick(i));
    }
    const auto entries = pga::collectors::log_entries(lines, 0, 64);

    std::vector<json> objects = {metric};
    for (const auto& e : entries) {
        objects.push_back(e);
    }
    pga::collect::Batch batch;
    batch.batch_id = pick(3);
    batch.sequence = 7;
    batch.metrics = pga::collect::to_metrics(objects);
    const pga::collect::EnvelopeInfo info{pick(4), pick(5), pick(6)};

    for (const auto& m : objects) {
        const auto compact = parse_back(pga::collect::dump_json(m));
        PGA_FUZZ_CHECK(parse_back(pga::collect::dump_json(m, 2)).dump() == compact.dump());
    }
    const bool all_valid =
        std::all_of(strings.begin(), strings.end(), [](const std::string& s) { return pga::fuzz::strict_utf8(s); });
    for (std::size_t i = 0; i < objects.size(); ++i) { // a metric's text is its object
        const auto back = parse_back(batch.metrics[i].text());
        PGA_FUZZ_CHECK(back.size() == objects[i].size());
        PGA_FUZZ_CHECK(!all_valid || back.dump() == objects[i].dump()); // NaN is written as null
    }
    // The objects a collector writes as text get type, timestamp and status spliced in.
    pga::collect::Output out;
    std::vector<std::size_t> sizes;
    for (auto o : objects) {
        for (const char* key : {"type", "timestamp", "status"}) {
            o.erase(key);
        }
        sizes.push_back(o.size());
        out.texts.push_back(pga::collect::dump_json(o));
    }
    const auto spliced = pga::collect::ok_objects("fuzz", pga::util::SystemClock::now(), pick(7), out);
    PGA_FUZZ_CHECK(spliced.size() == sizes.size() && out.errors.empty());
    for (std::size_t i = 0; i < spliced.size(); ++i) {
        const auto back = parse_back(spliced[i].text());
        PGA_FUZZ_CHECK(back.at("type") == "fuzz" && back.at("status") == "ok" && spliced[i].type() == "fuzz");
        PGA_FUZZ_CHECK(back.size() == sizes[i] + 3);
    }
    (void)parse_back(pga::collect::dump_json(pga::collect::make_envelope(batch, info), 2));
    const auto envelope = parse_back(pga::collect::envelope_body(batch, info));
    PGA_FUZZ_CHECK(envelope.at("metrics").size() == batch.metrics.size());
    for (const auto& group : pga::deliver::split_metrics(batch.metrics, 512)) {
        (void)parse_back(pga::collect::array_text(group));
    }

    // Valid UTF-8 goes through unchanged, as a value and as a key.
    if (all_valid) {
        const auto back = parse_back(pga::collect::dump_json(metric));
        PGA_FUZZ_CHECK(back.at("database") == metric.at("database"));
        PGA_FUZZ_CHECK(back.at("tables") == metric.at("tables"));
        PGA_FUZZ_CHECK(back.at("rows").at(0).at("datname") == object.at("datname"));
        PGA_FUZZ_CHECK(envelope.at("hostname") == info.hostname);
    }
    return 0;
}
