// Unit tests of pga/deliver/envelope and jwt: the push body and the token claims.
#include "pga/deliver/envelope.hpp"
#include "pga/deliver/jwt.hpp"
#include "pga/deliver/split.hpp"

#include "fakes.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

using namespace pga::deliver;

namespace {

std::string gunzip(const std::string& data) {
    z_stream zs{};
    inflateInit2(&zs, 15 + 16);
    std::string out(4 << 20, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? out : "<not one complete gzip member>";
}

} // namespace

TEST(Envelope, carries_every_field_of_the_contract_and_the_batch_identity) {
    SpoolEntry e;
    e.batch_id = "b-1";
    e.sequence = 42;
    e.created_ms = 1772100000123; // 2026-02-26T10:00:00.123Z
    e.metrics_count = 2;
    e.body = R"([{"type":"a"},{"type":"b"}])";
    const auto doc = nlohmann::json::parse(build_envelope({"cid", "host\n1", "3.3.0"}, e));
    EXPECT_EQ(doc["collector_id"], "cid");
    EXPECT_EQ(doc["hostname"], "host\n1");
    EXPECT_EQ(doc["timestamp"], "2026-02-26T10:00:00Z");
    EXPECT_EQ(doc["version"], "3.3.0");
    EXPECT_EQ(doc["batch_id"], "b-1");
    EXPECT_EQ(doc["sequence"], 42);
    EXPECT_EQ(doc["metrics_count"], 2);
    EXPECT_EQ(doc["metrics"].size(), 2u);
    EXPECT_EQ(doc["schema_version"], pga::collect::k_schema_version);
}

TEST(Envelope, the_push_body_is_the_dry_run_envelope_of_the_same_batch) {
    const pga::collect::Batch batch{
        "b-2",
        7,
        pga::util::parse_rfc3339("2026-02-26T10:00:00Z").value(),
        {nlohmann::json{{"type", "a"}, {"n", 1}}, nlohmann::json{{"type", "b"}, {"s", "x\"y"}}}};
    const auto items = to_spool_items(batch, 1 << 20);
    ASSERT_EQ(items.size(), 1u);
    SpoolEntry entry;
    static_cast<SpoolItem&>(entry) = items[0];
    const pga::collect::EnvelopeInfo info{"cid", "host", "3.3.0"};
    EXPECT_EQ(nlohmann::json::parse(build_envelope(info, entry)), pga::collect::make_envelope(batch, info));
}

TEST(Envelope, gzip_round_trips) {
    const std::string text(5000, 'z');
    const auto packed = gzip(text);
    EXPECT_LT(packed.size(), text.size());
    EXPECT_EQ(gunzip(packed), text);
}

TEST(Envelope, gzip_of_pieces_is_the_gzip_of_their_concatenation) {
    // 1 MiB that barely compresses, so deflate's output passes through many of Gzip's chunks.
    std::string text;
    std::uint32_t x = 12345;
    for (int i = 0; i < (1 << 20); ++i) {
        x = x * 1664525u + 1013904223u;
        text += static_cast<char>(x >> 24);
    }
    Gzip g;
    for (std::size_t at = 0; at < text.size(); at += 70001) {
        g.add(std::string_view(text).substr(at, 70001));
    }
    g.add("");
    const auto packed = g.finish();
    EXPECT_GT(packed.size(), 64u * 1024u);
    EXPECT_EQ(gunzip(packed), text);
    EXPECT_EQ(packed, gzip(text));
    EXPECT_THROW(g.add("more"), std::logic_error);
    EXPECT_THROW(g.finish(), std::logic_error);
}

TEST(Envelope, gzip_of_nothing_is_an_empty_member) {
    EXPECT_EQ(gunzip(gzip("")), "");
}

TEST(Envelope, body_pieces_make_the_body) {
    pga::collect::Batch batch{"b-1",
                              7,
                              pga::util::SystemClock::time_point(std::chrono::seconds(1700000000)),
                              {nlohmann::json{{"type", "a"}, {"n", 1}}, nlohmann::json{{"type", "b"}, {"s", "x"}}}};
    const pga::collect::EnvelopeInfo info{"cid", "host", "3.3.0"};
    std::string joined;
    int pieces = 0;
    pga::collect::envelope_pieces(batch, info, [&](std::string_view p) {
        joined += p;
        ++pieces;
    });
    EXPECT_GT(pieces, 3);
    EXPECT_EQ(joined, pga::collect::envelope_body(batch, info));
    EXPECT_EQ(nlohmann::json::parse(joined), pga::collect::make_envelope(batch, info));
    batch.metrics.clear();
    EXPECT_EQ(nlohmann::json::parse(pga::collect::envelope_body(batch, info))["metrics"], nlohmann::json::array());
}

TEST(Jwt, claims_are_read_from_the_payload) {
    const auto claims = decode_jwt(pga::test::make_jwt("c-1", 100, 1900));
    ASSERT_TRUE(claims);
    EXPECT_EQ(claims->collector_id, "c-1");
    EXPECT_EQ(claims->exp, 1900);
    EXPECT_EQ(claims->iat, 100);
}

TEST(Jwt, opaque_tokens_are_not_jwts) {
    EXPECT_FALSE(decode_jwt("static-token"));
    EXPECT_FALSE(decode_jwt("a.b"));
    EXPECT_FALSE(decode_jwt("a.!!!.c"));
    EXPECT_FALSE(decode_jwt("a.b.c.d"));
    EXPECT_FALSE(decode_jwt("x." + pga::test::b64url("[1,2]") + ".y"));
}
