#include "common/bytes.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace gregor {
namespace {

TEST(BytesTest, BigEndianRoundTrip) {
  ByteWriter w;
  w.WriteInt8(-2);
  w.WriteInt16(-300);
  w.WriteInt32(0x01020304);
  w.WriteInt64(-5);
  w.WriteFloat64(2.5);
  EXPECT_EQ(w.size(), 1u + 2 + 4 + 8 + 8);
  EXPECT_EQ(static_cast<uint8_t>(w.data()[3]), 0x01);
  ByteReader r(w.data());
  EXPECT_EQ(r.ReadInt8(), -2);
  EXPECT_EQ(r.ReadInt16(), -300);
  EXPECT_EQ(r.ReadInt32(), 0x01020304);
  EXPECT_EQ(r.ReadInt64(), -5);
  EXPECT_EQ(r.ReadFloat64(), 2.5);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(BytesTest, VarintsMatchKafkaEncoding) {
  // Values from Kafka's ByteUtilsTest.
  ByteWriter w;
  w.WriteVarint(0);
  w.WriteVarint(-1);
  w.WriteVarint(1);
  w.WriteVarint(-64);
  w.WriteVarint(64);
  EXPECT_EQ(w.data(), std::string("\x00\x01\x02\x7f\x80\x01", 6));
  ByteReader r(w.data());
  EXPECT_EQ(r.ReadVarint(), 0);
  EXPECT_EQ(r.ReadVarint(), -1);
  EXPECT_EQ(r.ReadVarint(), 1);
  EXPECT_EQ(r.ReadVarint(), -64);
  EXPECT_EQ(r.ReadVarint(), 64);
  EXPECT_TRUE(r.ok());
}

TEST(BytesTest, VarintExtremesRoundTrip) {
  for (int64_t v : {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                    int64_t{0}, int64_t{-1}, int64_t{1} << 40}) {
    ByteWriter w;
    w.WriteVarlong(v);
    EXPECT_EQ(w.size(), VarlongSize(v));
    ByteReader r(w.data());
    EXPECT_EQ(r.ReadVarlong(), v);
    EXPECT_TRUE(r.ok());
  }
  for (int32_t v : {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()}) {
    ByteWriter w;
    w.WriteVarint(v);
    EXPECT_EQ(w.size(), 5u);
    ByteReader r(w.data());
    EXPECT_EQ(r.ReadVarint(), v);
  }
}

TEST(BytesTest, RejectsOverlongAndTruncatedVarints) {
  ByteReader too_long(std::string_view("\xff\xff\xff\xff\xff\x01", 6));
  too_long.ReadUnsignedVarint();
  EXPECT_FALSE(too_long.ok());
  ByteReader truncated(std::string_view("\xff\xff", 2));
  truncated.ReadUnsignedVarint();
  EXPECT_FALSE(truncated.ok());
  ByteReader overflow(std::string_view("\xff\xff\xff\xff\x7f", 5));
  overflow.ReadUnsignedVarint();
  EXPECT_FALSE(overflow.ok());
}

TEST(BytesTest, FailureIsStickyAndNeverReadsPastTheEnd) {
  ByteReader r(std::string_view("\x00\x01\x02", 3));
  EXPECT_EQ(r.ReadInt32(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.ReadInt8(), 0);
  EXPECT_TRUE(r.ReadBytes(1).empty());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  ByteReader r2(std::string_view("abc", 3));
  EXPECT_TRUE(r2.ReadBytes(size_t{1} << 40).empty());
  EXPECT_FALSE(r2.ok());
}

}  // namespace
}  // namespace gregor
