// Unit tests of pga/deliver/jwt: claims read from a token's payload, out-of-range times refused.
#include "pga/deliver/jwt.hpp"

#include <gtest/gtest.h>

using pga::deliver::decode_jwt;

TEST(Jwt, times_outside_int64_are_no_claim) {
    // Found by fuzz_backend_response under UBSan: "exp": 1.7e42 was converted to int64 (undefined).
    // Payload {"collector_id":"c-1","exp":1.7e42,"iat":-1e300}
    const auto huge =
        decode_jwt("eyJhbGciOiJIUzI1NiJ9.eyJjb2xsZWN0b3JfaWQiOiJjLTEiLCJleHAiOjEuN2U0MiwiaWF0IjotMWUzMDB9.c2ln");
    ASSERT_TRUE(huge);
    EXPECT_EQ(huge->collector_id, "c-1");
    EXPECT_FALSE(huge->exp);
    EXPECT_FALSE(huge->iat);

    // Payload {"exp":18446744073709551615,"iat":1700000000.5}: 2^64 - 1 would wrap to -1.
    const auto wide =
        decode_jwt("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE4NDQ2NzQ0MDczNzA5NTUxNjE1LCJpYXQiOjE3MDAwMDAwMDAuNX0.c2ln");
    ASSERT_TRUE(wide);
    EXPECT_FALSE(wide->exp);
    ASSERT_TRUE(wide->iat);
    EXPECT_EQ(*wide->iat, 1700000000);

    // Payload {"exp":9.3e18}: just above 2^63.
    const auto above = decode_jwt("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjkuM2UxOH0.c2ln");
    ASSERT_TRUE(above);
    EXPECT_FALSE(above->exp);
}
