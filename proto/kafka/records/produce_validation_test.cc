#include "proto/kafka/records/produce_validation.h"

#include <string>

#include "common/bytes.h"
#include "gtest/gtest.h"
#include "proto/kafka/records/compression.h"
#include "proto/kafka/records/control_record.h"
#include "proto/kafka/records/record_batch_builder.h"
#include "proto/kafka/records/testing.h"

namespace gregor::kafka {
namespace {

using records_testing::RawBatch;

std::string ProducerBatch(Compression c, int records = 3,
                          RecordBatchBuilderOptions o = RecordBatchBuilderOptions()) {
  o.compression = c;
  RecordBatchBuilder b(o);
  for (int i = 0; i < records; ++i) {
    EXPECT_TRUE(b.Append(1000 + i, "key" + std::to_string(i), "value").ok());
  }
  return *b.Build();
}

absl::StatusCode Code(std::string_view records, ProduceValidationOptions o = {}) {
  return ValidateProducePayload(records, o).status().code();
}

// Patches a header field and fixes the CRC, so only the rule under test fails.
std::string Patched(std::string batch, size_t offset, int width, int64_t value) {
  if (width == 2) StoreBE16(batch.data() + offset, static_cast<uint16_t>(value));
  if (width == 4) StoreBE32(batch.data() + offset, static_cast<uint32_t>(value));
  if (width == 8) StoreBE64(batch.data() + offset, static_cast<uint64_t>(value));
  UpdateCrc(batch.data(), batch.size());
  return batch;
}

TEST(ProduceValidationTest, AcceptsWhatProducersSendWithEveryCodec) {
  ProduceValidator v;
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kSnappy,
                        Compression::kLz4, Compression::kZstd}) {
    RecordBatchBuilderOptions o;
    o.producer_id = 9;
    o.producer_epoch = 0;
    o.base_sequence = 0;
    std::string batch = ProducerBatch(c, 5, o);
    auto info = v.Validate(batch);
    ASSERT_TRUE(info.ok()) << CompressionName(c) << ": " << info.status();
    EXPECT_EQ(info->batch_count, 1);
    EXPECT_EQ(info->record_count, 5);
    EXPECT_EQ(info->size_bytes, batch.size());
    EXPECT_EQ(info->first_batch.producer_id, 9);
    EXPECT_EQ(info->first_batch.compression(), c);
    EXPECT_EQ(info->max_timestamp, 1004);
    EXPECT_TRUE(info->records_checked);
  }
}

TEST(ProduceValidationTest, CanSkipWalkingUncompressedRecords) {
  ProduceValidationOptions o;
  o.check_uncompressed_records = false;
  // Records the header's CRC covers but that do not parse: only a walk sees them.
  std::string bad = RawBatch("\x7f\x7f\x7f", 1, 0);
  EXPECT_EQ(Code(bad), absl::StatusCode::kDataLoss);
  auto info = ValidateProducePayload(bad, o);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_FALSE(info->records_checked);
  // Compressed batches are always walked.
  std::string z;
  ASSERT_TRUE(Compress(Compression::kGzip, "\x7f\x7f\x7f", &z).ok());
  EXPECT_EQ(Code(RawBatch(z, 1, 0, 1), o), absl::StatusCode::kDataLoss);
}

TEST(ProduceValidationTest, RejectsRuleViolationsAsInvalidRecord) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  std::string good = ProducerBatch(Compression::kNone);
  namespace o = batch_offsets;
  EXPECT_EQ(Code(""), kInvalid);                                     // no batch
  EXPECT_EQ(Code(good + good), kInvalid);                            // two batches
  EXPECT_EQ(Code(Patched(good, o::kBaseOffset, 8, 5)), kInvalid);    // baseOffset != 0
  EXPECT_EQ(Code(Patched(good, o::kLastOffsetDelta, 4, 3)), kInvalid);  // count != delta + 1
  EXPECT_EQ(Code(RawBatch("", 0, 0)), kInvalid);                     // empty batch
  EXPECT_EQ(Code(Patched(good, o::kAttributes, 2, batch_attributes::kControl)), kInvalid);
  EXPECT_EQ(Code(Patched(good, o::kAttributes, 2, 6)), kInvalid);    // unknown codec
  std::string pid = Patched(good, o::kProducerId, 8, 77);           // producer id, sequence -1
  EXPECT_EQ(Code(pid), kInvalid);
  EXPECT_TRUE(ValidateProducePayload(Patched(pid, o::kBaseSequence, 4, 0)).ok());
  EXPECT_EQ(Code(Patched(good, o::kAttributes, 2, batch_attributes::kTransactional)), kInvalid);
  std::string v1 = good;
  v1[o::kMagic] = 1;
  EXPECT_EQ(Code(v1), kInvalid);
  ProduceValidationOptions multi;
  multi.require_single_batch = false;
  auto info = ValidateProducePayload(good + good, multi);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->batch_count, 2);
  EXPECT_EQ(info->record_count, 6);
}

TEST(ProduceValidationTest, RejectsControlBatchesFromClients) {
  auto marker = BuildEndTxnMarkerBatch({.commit = true, .coordinator_epoch = 0},
                                       {.producer_id = 1, .producer_epoch = 0});
  ASSERT_TRUE(marker.ok());
  EXPECT_EQ(Code(*marker), absl::StatusCode::kInvalidArgument);
}

TEST(ProduceValidationTest, RejectsCorruptionAsDataLoss) {
  const auto kLoss = absl::StatusCode::kDataLoss;
  std::string good = ProducerBatch(Compression::kLz4);
  std::string flipped = good;
  flipped[good.size() - 3] ^= 0x10;
  EXPECT_EQ(Code(flipped), kLoss);                            // CRC
  EXPECT_EQ(Code(good.substr(0, good.size() - 1)), kLoss);    // truncated
  EXPECT_EQ(Code(good.substr(0, 8)), kLoss);                  // not even a length
  EXPECT_EQ(Code(good + "x"), absl::StatusCode::kInvalidArgument);  // bytes after the batch
  EXPECT_EQ(Code(RawBatch("garbage that is not lz4", 1, 0, 3)), kLoss);
  // Record count consistent with the header but not with the records.
  std::string two;
  AppendRecord(0, 0, std::string_view("a"), std::string_view("1"), {}, &two);
  AppendRecord(0, 1, std::string_view("b"), std::string_view("2"), {}, &two);
  EXPECT_EQ(Code(RawBatch(two, 3, 2)), kLoss);
  // Offsets not consecutive inside a compressed batch.
  std::string gap;
  AppendRecord(0, 0, std::string_view("a"), std::string_view("1"), {}, &gap);
  AppendRecord(0, 2, std::string_view("b"), std::string_view("2"), {}, &gap);
  std::string z;
  ASSERT_TRUE(Compress(Compression::kSnappy, gap, &z).ok());
  EXPECT_EQ(Code(RawBatch(z, 2, 1, 2)), kLoss);
}

TEST(ProduceValidationTest, LimitsBatchAndDecompressedSizes) {
  RecordBatchBuilderOptions bo;
  bo.compression = Compression::kZstd;
  RecordBatchBuilder b(bo);
  ASSERT_TRUE(b.Append(0, "k", std::string(4 << 20, 'a')).ok());
  std::string bomb = *b.Build();
  ProduceValidationOptions o;
  o.max_decompressed_bytes = 1 << 20;
  EXPECT_EQ(Code(bomb, o), absl::StatusCode::kResourceExhausted);
  o.max_batch_bytes = bomb.size() - 1;
  EXPECT_EQ(Code(bomb, o), absl::StatusCode::kOutOfRange);
}

TEST(ProduceValidationTest, RequiresKeysForCompactedTopics) {
  RecordBatchBuilder b;
  ASSERT_TRUE(b.Append(0, "k", "v").ok());
  ASSERT_TRUE(b.Append(0, std::nullopt, "v").ok());
  std::string batch = *b.Build();
  EXPECT_TRUE(ValidateProducePayload(batch).ok());
  ProduceValidationOptions o;
  o.require_keys = true;
  o.check_uncompressed_records = false;  // require_keys walks the records anyway
  EXPECT_EQ(Code(batch, o), absl::StatusCode::kInvalidArgument);
}

TEST(ProduceValidationTest, ChecksCreateTimeBoundsAndRefusesLogAppendTime) {
  RecordBatchBuilder b;
  ASSERT_TRUE(b.Append(1000, "a", "v").ok());
  ASSERT_TRUE(b.Append(-1, "b", "v").ok());  // no timestamp: not checked
  ASSERT_TRUE(b.Append(5000, "c", "v").ok());
  std::string batch = *b.Build();
  ProduceValidationOptions o;
  o.min_timestamp_ms = 500;
  o.max_timestamp_ms = 5000;
  EXPECT_TRUE(ValidateProducePayload(batch, o).ok());
  o.max_timestamp_ms = 4999;
  EXPECT_EQ(Code(batch, o), absl::StatusCode::kFailedPrecondition);
  o.max_timestamp_ms = 10000;
  o.min_timestamp_ms = 1001;
  EXPECT_EQ(Code(batch, o), absl::StatusCode::kFailedPrecondition);

  RecordBatchBuilderOptions lat;
  lat.timestamp_type = TimestampType::kLogAppendTime;
  lat.log_append_time_ms = 1;
  RecordBatchBuilder l(lat);
  ASSERT_TRUE(l.Append(1, "a", "v").ok());
  EXPECT_EQ(Code(*l.Build()), absl::StatusCode::kFailedPrecondition);
}

TEST(ProduceValidationTest, ValidatorIsReusableAfterErrors) {
  ProduceValidator v;
  std::string good = ProducerBatch(Compression::kGzip);
  EXPECT_FALSE(v.Validate(RawBatch("bad gzip", 1, 0, 1)).ok());
  EXPECT_TRUE(v.Validate(good).ok());
  EXPECT_FALSE(v.Validate(good.substr(1)).ok());
  EXPECT_TRUE(v.Validate(good).ok());
}

}  // namespace
}  // namespace gregor::kafka
