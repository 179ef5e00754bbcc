#include "broker/storage/segment_index.h"

#include "gtest/gtest.h"

namespace gregor::storage {
namespace {

TEST(OffsetIndexTest, FloorFindsLastEntryAtOrBelow) {
  OffsetIndex idx(100);
  EXPECT_FALSE(idx.Floor(500).has_value());
  idx.Append({110, 4000});
  idx.Append({130, 8200});
  EXPECT_FALSE(idx.Floor(109).has_value());
  EXPECT_EQ(idx.Floor(110)->position, 4000u);
  EXPECT_EQ(idx.Floor(129)->position, 4000u);
  EXPECT_EQ(idx.Floor(1000)->position, 8200u);
  EXPECT_EQ(idx.FloorByPosition(8199)->offset, 110);
  EXPECT_EQ(idx.FloorByPosition(8200)->offset, 130);
  EXPECT_FALSE(idx.FloorByPosition(3999).has_value());
}

TEST(OffsetIndexTest, TruncationDropsEntriesAtOrAbove) {
  OffsetIndex idx(0);
  idx.Append({10, 100});
  idx.Append({20, 200});
  idx.Append({30, 300});
  idx.TruncateFromOffset(20);
  EXPECT_EQ(idx.size(), 1u);
  idx.Append({25, 250});
  idx.TruncateFromPosition(250);
  EXPECT_EQ(idx.size(), 1u);
  EXPECT_EQ(idx.last()->offset, 10);
}

TEST(OffsetIndexTest, EncodesRelativeOffsetsAndRoundTrips) {
  OffsetIndex idx(1000);
  idx.Append({1005, 4096});
  idx.Append({1010, 9000});
  std::string bytes = idx.Encode(0);
  ASSERT_EQ(bytes.size(), 16u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\0\0\0\x05\0\0\x10\0", 8));
  EXPECT_EQ(idx.Encode(1).size(), 8u);
  auto decoded = OffsetIndex::Decode(1000, bytes, 10000);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->size(), 2u);
  EXPECT_EQ(decoded->last()->offset, 1010);
}

TEST(OffsetIndexTest, DecodeRejectsBadFiles) {
  OffsetIndex idx(0);
  idx.Append({5, 100});
  idx.Append({9, 200});
  std::string good = idx.Encode(0);
  EXPECT_FALSE(OffsetIndex::Decode(0, good.substr(0, 12), 1000).ok());  // partial entry
  EXPECT_FALSE(OffsetIndex::Decode(0, good, 150).ok());                 // past the log
  std::string zeros(16, '\0');                                          // Kafka's preallocated tail
  EXPECT_FALSE(OffsetIndex::Decode(0, good + zeros, 1000).ok());
  std::string swapped = good.substr(8) + good.substr(0, 8);
  EXPECT_FALSE(OffsetIndex::Decode(0, swapped, 1000).ok());
  EXPECT_TRUE(OffsetIndex::Decode(0, "", 0).ok());
}

TEST(TimeIndexTest, AppendsOnlyIncreasingTimestamps) {
  TimeIndex idx(0);
  EXPECT_TRUE(idx.MaybeAppend({100, 5}));
  EXPECT_FALSE(idx.MaybeAppend({100, 9}));
  EXPECT_FALSE(idx.MaybeAppend({90, 12}));
  EXPECT_TRUE(idx.MaybeAppend({150, 12}));
  EXPECT_EQ(idx.size(), 2u);
  EXPECT_FALSE(idx.LastBefore(100).has_value());
  EXPECT_EQ(idx.LastBefore(101)->offset, 5);
  EXPECT_EQ(idx.LastBefore(1000)->offset, 12);
  idx.TruncateFromOffset(12);
  EXPECT_EQ(idx.size(), 1u);
}

TEST(TimeIndexTest, RoundTripsAndRejectsDisorder) {
  TimeIndex idx(50);
  idx.MaybeAppend({1000, 55});
  idx.MaybeAppend({2000, 60});
  std::string bytes = idx.Encode(0);
  ASSERT_EQ(bytes.size(), 24u);
  auto decoded = TimeIndex::Decode(50, bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->last()->timestamp, 2000);
  EXPECT_EQ(decoded->last()->offset, 60);
  EXPECT_FALSE(TimeIndex::Decode(50, bytes.substr(12) + bytes.substr(0, 12)).ok());
  EXPECT_FALSE(TimeIndex::Decode(50, bytes.substr(0, 13)).ok());
}

TEST(RecentBatchesTest, FindsFirstBatchEndingAtOrAfter) {
  RecentBatches ring(100);
  EXPECT_FALSE(ring.Find(100).has_value());
  ring.Add(104, 0);     // batch 100..104
  ring.Add(109, 500);   // 105..109
  ring.Add(120, 1000);  // 115..120 (gap)
  EXPECT_EQ(ring.Find(100), 0u);
  EXPECT_EQ(ring.Find(104), 0u);
  EXPECT_EQ(ring.Find(105), 500u);
  EXPECT_EQ(ring.Find(112), 1000u);  // in the gap: the next batch
  EXPECT_FALSE(ring.Find(121).has_value());
  EXPECT_FALSE(ring.Find(99).has_value());
}

TEST(RecentBatchesTest, ForgetsOldestWhenFull) {
  RecentBatches ring(0);
  for (size_t i = 0; i < RecentBatches::kCapacity + 10; ++i) ring.Add(int64_t(i), i * 100);
  EXPECT_FALSE(ring.Find(9).has_value());
  EXPECT_EQ(ring.Find(10), 1000u);
  ring.Reset(500);
  EXPECT_FALSE(ring.Find(500).has_value());
}

}  // namespace
}  // namespace gregor::storage
