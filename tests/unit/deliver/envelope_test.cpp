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
    std::string out(1 << 20, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    inflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    inflateEnd(&zs);
    return out;
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
