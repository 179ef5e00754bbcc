#include "proto/kafka/records/batch_header.h"

#include <string>

#include "common/bytes.h"
#include "gtest/gtest.h"

namespace gregor::kafka {
namespace {

// A batch with `payload` standing in for the records (not parsed here).
std::string MakeBatch(int32_t records, int32_t last_delta, std::string payload) {
  ByteWriter w;
  w.WriteInt64(0);                                            // baseOffset
  w.WriteInt32(static_cast<int32_t>(49 + payload.size()));    // batchLength
  w.WriteInt32(-1);                                           // partitionLeaderEpoch
  w.WriteInt8(2);                                             // magic
  w.WriteUint32(0);                                           // crc, patched below
  w.WriteInt16(batch_attributes::kTransactional | 3);         // lz4, transactional
  w.WriteInt32(last_delta);
  w.WriteInt64(1000);
  w.WriteInt64(2000);
  w.WriteInt64(77);
  w.WriteInt16(5);
  w.WriteInt32(10);
  w.WriteInt32(records);
  w.WriteBytes(payload);
  std::string b = w.Release();
  UpdateCrc(b.data(), b.size());
  return b;
}

TEST(BatchHeaderTest, ParsesEveryField) {
  std::string b = MakeBatch(3, 2, "xyz");
  BatchHeader h = ParseBatchHeader(b.data());
  EXPECT_EQ(h.batch_length, 52);
  EXPECT_EQ(h.total_size(), b.size());
  EXPECT_EQ(h.magic, 2);
  EXPECT_EQ(h.compression(), Compression::kLz4);
  EXPECT_TRUE(h.is_transactional());
  EXPECT_FALSE(h.is_control());
  EXPECT_EQ(h.base_timestamp, 1000);
  EXPECT_EQ(h.max_timestamp, 2000);
  EXPECT_EQ(h.producer_id, 77);
  EXPECT_EQ(h.producer_epoch, 5);
  EXPECT_EQ(h.base_sequence, 10);
  EXPECT_EQ(h.last_sequence(), 12);
  EXPECT_EQ(h.records_count, 3);
  EXPECT_TRUE(ValidateBatch(b).ok());
}

TEST(BatchHeaderTest, BrokerFieldsAreOutsideTheCrc) {
  std::string b = MakeBatch(1, 0, "a");
  SetBaseOffset(b.data(), 12345);
  SetPartitionLeaderEpoch(b.data(), 9);
  EXPECT_TRUE(ValidateBatch(b).ok());
  BatchHeader h = ParseBatchHeader(b.data());
  EXPECT_EQ(h.base_offset, 12345);
  EXPECT_EQ(h.partition_leader_epoch, 9);
  EXPECT_EQ(h.next_offset(), 12346);
}

TEST(BatchHeaderTest, LogAppendTimeStampKeepsTheBatchValid) {
  std::string b = MakeBatch(1, 0, "a");
  StampLogAppendTime(b.data(), b.size(), 99);
  EXPECT_TRUE(ValidateBatch(b).ok());
  BatchHeader h = ParseBatchHeader(b.data());
  EXPECT_TRUE(h.log_append_time());
  EXPECT_EQ(h.max_timestamp, 99);
}

TEST(BatchHeaderTest, RejectsCorruption) {
  std::string b = MakeBatch(1, 0, "abc");
  std::string flipped = b;
  flipped[62] ^= 1;
  EXPECT_EQ(ValidateBatch(flipped).code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(ValidateBatch(b.substr(0, b.size() - 1)).ok());
  EXPECT_FALSE(ValidateBatch(b.substr(0, 30)).ok());
  std::string magic = b;
  magic[16] = 1;
  EXPECT_EQ(ValidateBatch(magic).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ValidateBatch(MakeBatch(5, 1, "")).ok());   // more records than offsets
  EXPECT_FALSE(ValidateBatch(MakeBatch(1, -1, "")).ok());  // negative delta
}

TEST(BatchHeaderTest, NextBatchSizeBoundsLengths) {
  std::string b = MakeBatch(1, 0, "abc") + MakeBatch(1, 0, "de");
  auto n = NextBatchSize(b, 1 << 20);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 64u);
  EXPECT_FALSE(NextBatchSize(b.substr(0, 11), 1 << 20).ok());
  EXPECT_EQ(NextBatchSize(b, 10).status().code(), absl::StatusCode::kOutOfRange);
  std::string neg = b;
  StoreBE32(neg.data() + 8, 0xFFFFFFFF);
  EXPECT_FALSE(NextBatchSize(neg, 1 << 20).ok());
}

}  // namespace
}  // namespace gregor::kafka
