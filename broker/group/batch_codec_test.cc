#include "broker/group/batch_codec.h"

#include "gtest/gtest.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/control_record.h"
#include "proto/kafka/records/record_batch_builder.h"

namespace gregor::broker::group {
namespace {

std::vector<CoordinatorRecord> SomeRecords() {
  return {*MakeOffsetCommitRecord({"g", "t", 0}, {.offset = 5, .commit_timestamp_ms = 9}),
          *MakeGroupMetadataTombstone("g")};
}

TEST(BatchCodecTest, RoundTripsRecordsAndTombstones) {
  std::vector<CoordinatorRecord> records = SomeRecords();
  CoordinatorBatchEncoder enc;
  auto batch = enc.Encode(records, 1234);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_TRUE(kafka::ValidateBatch(*batch).ok());  // length and CRC-32C
  kafka::BatchHeader h = kafka::ParseBatchHeader(batch->data());
  EXPECT_EQ(h.records_count, 2);
  EXPECT_EQ(h.last_offset_delta, 1);
  EXPECT_EQ(h.base_timestamp, 1234);
  EXPECT_EQ(h.producer_id, -1);
  EXPECT_EQ(h.partition_leader_epoch, -1);
  EXPECT_EQ(h.compression(), kafka::Compression::kNone);
  EXPECT_FALSE(h.log_append_time());
  auto decoded = DecodeBatch(*batch);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, records);
}

TEST(BatchCodecTest, EncodesWithTheConfiguredCodec) {
  CoordinatorBatchEncoder enc({.compression = kafka::Compression::kZstd});
  auto batch = enc.Encode(SomeRecords(), 1);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(kafka::ParseBatchHeader(batch->data()).compression(), kafka::Compression::kZstd);
  EXPECT_EQ(*DecodeBatch(*batch), SomeRecords());
}

// A partition written by someone else (another codec, Kafka itself): every
// codec loads, batches are read in order, control batches are skipped.
TEST(BatchCodecTest, DecodesConcatenatedBatchesOfEveryCodec) {
  std::string region;
  std::vector<CoordinatorRecord> expected;
  int64_t offset = 0;
  for (kafka::Compression c : {kafka::Compression::kNone, kafka::Compression::kGzip,
                               kafka::Compression::kSnappy, kafka::Compression::kLz4,
                               kafka::Compression::kZstd}) {
    kafka::RecordBatchBuilder b({.compression = c, .base_offset = offset});
    for (int i = 0; i < 3; ++i) {
      CoordinatorRecord r = *MakeOffsetCommitRecord(
          {"g", "t", i}, {.offset = offset + i, .commit_timestamp_ms = 7});
      ASSERT_TRUE(b.Append(7, std::string_view(r.key), std::string_view(*r.value)).ok());
      expected.push_back(r);
    }
    ASSERT_TRUE(b.Finish(&region).ok());
    offset += 3;
  }
  // A commit marker (control batch) in the middle of the partition.
  kafka::RecordBatchBuilder marker({.base_offset = offset, .producer_id = 5, .producer_epoch = 0,
                                    .transactional = true, .control = true});
  std::string key = kafka::EncodeControlRecordKey(kafka::ControlRecordType::kCommit);
  std::string value = kafka::EncodeEndTxnMarkerValue(0);
  ASSERT_TRUE(marker.Append(7, std::string_view(key), std::string_view(value)).ok());
  ASSERT_TRUE(marker.Finish(&region).ok());
  ++offset;

  CoordinatorBatchDecoder decoder;
  std::vector<CoordinatorRecord> out;
  auto end = decoder.DecodeBatches(region, &out);
  ASSERT_TRUE(end.ok()) << end.status();
  EXPECT_EQ(*end, offset);
  EXPECT_EQ(out, expected);
}

TEST(BatchCodecTest, EmptyRegionDecodesToNothing) {
  CoordinatorBatchDecoder decoder;
  std::vector<CoordinatorRecord> out;
  EXPECT_EQ(*decoder.DecodeBatches("", &out), -1);
  EXPECT_TRUE(out.empty());
}

TEST(BatchCodecTest, CorruptionIsDataLoss) {
  CoordinatorBatchEncoder enc;
  auto batch = enc.Encode({*MakeGroupMetadataTombstone("g")}, 1);
  std::string bad = *batch;
  bad.back() ^= 1;
  EXPECT_EQ(DecodeBatch(bad).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeBatch(batch->substr(0, 30)).status().code(), absl::StatusCode::kDataLoss);
  CoordinatorBatchDecoder decoder;
  std::vector<CoordinatorRecord> out;
  EXPECT_EQ(decoder.DecodeBatches(*batch + bad, &out).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(out.size(), 1u);  // the good batch before the bad one
}

TEST(BatchCodecTest, RecordWithoutKeyIsDataLoss) {
  kafka::RecordBatchBuilder b;
  ASSERT_TRUE(b.Append(1, std::nullopt, std::string_view("v")).ok());
  std::string batch = *b.Build();
  EXPECT_EQ(DecodeBatch(batch).status().code(), absl::StatusCode::kDataLoss);
}

TEST(BatchCodecTest, OversizedBatchIsRefused) {
  CoordinatorBatchEncoder small({.max_batch_bytes = 100});
  CoordinatorRecord big{std::string(200, 'k'), std::nullopt};
  EXPECT_EQ(small.Encode({big}, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(small.Encode({}, 1).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gregor::broker::group
