#include "broker/group/batch_codec.h"

#include "gtest/gtest.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::broker::group {
namespace {

TEST(BatchCodecTest, RoundTripsRecordsAndTombstones) {
  std::vector<CoordinatorRecord> records = {
      *MakeOffsetCommitRecord({"g", "t", 0}, {.offset = 5, .commit_timestamp_ms = 9}),
      *MakeGroupMetadataTombstone("g")};
  UncompressedBatchEncoder enc;
  auto batch = enc.Encode(records, 1234);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_TRUE(kafka::ValidateBatch(*batch).ok());  // length and CRC-32C
  kafka::BatchHeader h = kafka::ParseBatchHeader(batch->data());
  EXPECT_EQ(h.records_count, 2);
  EXPECT_EQ(h.last_offset_delta, 1);
  EXPECT_EQ(h.base_timestamp, 1234);
  EXPECT_EQ(h.producer_id, -1);
  EXPECT_EQ(h.compression(), kafka::Compression::kNone);
  auto decoded = DecodeUncompressedBatch(*batch);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, records);
}

TEST(BatchCodecTest, CorruptionIsDetected) {
  UncompressedBatchEncoder enc;
  auto batch = enc.Encode({*MakeGroupMetadataTombstone("g")}, 1);
  std::string bad = *batch;
  bad.back() ^= 1;
  EXPECT_EQ(DecodeUncompressedBatch(bad).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeUncompressedBatch(batch->substr(0, 30)).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(BatchCodecTest, OversizedBatchIsRefused) {
  UncompressedBatchEncoder small(100);
  CoordinatorRecord big{std::string(200, 'k'), std::nullopt};
  EXPECT_EQ(small.Encode({big}, 1).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gregor::broker::group
