// RecordBatchBuilder and RecordBatchReader together: round trips with every
// codec, header fields, limits, and every kind of corruption.
#include <random>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "gtest/gtest.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/compression.h"
#include "proto/kafka/records/record_batch_builder.h"
#include "proto/kafka/records/record_batch_reader.h"
#include "proto/kafka/records/testing.h"

namespace gregor::kafka {
namespace {

using records_testing::Own;
using records_testing::OwnedRecord;
using records_testing::RawBatch;

const Compression kAllCodecs[] = {Compression::kNone, Compression::kGzip, Compression::kSnappy,
                                  Compression::kLz4, Compression::kZstd};

std::string CodecName(const ::testing::TestParamInfo<Compression>& info) {
  return std::string(CompressionName(info.param));
}

// Builds a batch from OwnedRecords (offsets relative to base_offset).
std::string BuildBatch(const std::vector<OwnedRecord>& records, RecordBatchBuilderOptions options) {
  RecordBatchBuilder b(options);
  for (const OwnedRecord& r : records) {
    std::vector<RecordHeader> headers;
    for (const auto& [k, v] : r.headers) {
      headers.push_back({k, v ? std::optional<std::string_view>(*v) : std::nullopt});
    }
    std::optional<std::string_view> key, value;
    if (r.key) key = *r.key;
    if (r.value) value = *r.value;
    absl::Status s = b.AppendWithOffset(r.offset, r.timestamp, key, value, headers);
    EXPECT_TRUE(s.ok()) << s;
  }
  auto batch = b.Build();
  EXPECT_TRUE(batch.ok()) << batch.status();
  return batch.ok() ? *batch : "";
}

std::vector<OwnedRecord> ReadAll(std::string_view batch, RecordBatchReader& reader) {
  std::vector<OwnedRecord> out;
  absl::Status s = reader.Reset(batch);
  EXPECT_TRUE(s.ok()) << s;
  Record r;
  while (reader.Next(&r)) out.push_back(Own(r));
  EXPECT_TRUE(reader.status().ok()) << reader.status();
  return out;
}

std::vector<OwnedRecord> ReadAll(std::string_view batch) {
  RecordBatchReader reader;
  return ReadAll(batch, reader);
}

std::vector<OwnedRecord> VariedRecords(int64_t base_offset) {
  std::vector<OwnedRecord> v;
  auto add = [&](std::optional<std::string> k, std::optional<std::string> val, int64_t ts,
                 std::vector<std::pair<std::string, std::optional<std::string>>> h = {}) {
    OwnedRecord r;
    r.offset = base_offset + static_cast<int64_t>(v.size());
    r.timestamp = ts;
    r.key = std::move(k);
    r.value = std::move(val);
    r.headers = std::move(h);
    v.push_back(std::move(r));
  };
  add("key-0", "value-0", 1700000000000);
  add(std::nullopt, "null key", 1700000000005);
  add("null value", std::nullopt, 1699999999990);  // earlier than the first: negative delta
  add("", "", 1700000000001);                       // empty, not null
  add(std::nullopt, std::nullopt, 1700000000002);
  add("h", "headers", 1700000000003,
      {{"trace", "abc"}, {"empty", ""}, {"null", std::nullopt}, {"", "empty key"}});
  add("big", std::string(300000, 'x'), 1700000000004);
  add("unicode-\xc3\xa9", std::string("\0\1\2\3", 4), 1700000000100);
  return v;
}

class RecordBatchCodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(RecordBatchCodecTest, RoundTripsVariedRecords) {
  RecordBatchBuilderOptions o;
  o.compression = GetParam();
  o.base_offset = 1000;
  std::vector<OwnedRecord> in = VariedRecords(1000);
  std::string batch = BuildBatch(in, o);
  ASSERT_TRUE(ValidateBatch(batch).ok());
  EXPECT_EQ(ReadAll(batch), in);
  BatchHeader h = ParseBatchHeader(batch.data());
  EXPECT_EQ(h.compression(), GetParam());
  EXPECT_EQ(h.records_count, static_cast<int32_t>(in.size()));
  EXPECT_EQ(h.last_offset_delta, static_cast<int32_t>(in.size()) - 1);
  EXPECT_EQ(h.base_timestamp, 1700000000000);
  EXPECT_EQ(h.max_timestamp, 1700000000100);
}

TEST_P(RecordBatchCodecTest, RoundTripsManySmallRecords) {
  RecordBatchBuilderOptions o;
  o.compression = GetParam();
  RecordBatchBuilder b(o);
  const int kN = 50000;
  for (int i = 0; i < kN; ++i) {
    std::string k = std::to_string(i);
    ASSERT_TRUE(b.Append(i, k, "v" + k).ok());
  }
  std::string batch = *b.Build();
  RecordBatchReader reader;
  ASSERT_TRUE(reader.Reset(batch).ok());
  Record r;
  int n = 0;
  while (reader.Next(&r)) {
    ASSERT_EQ(r.offset, n);
    ASSERT_EQ(r.timestamp, n);
    ASSERT_EQ(*r.key, std::to_string(n));
    ASSERT_EQ(*r.value, "v" + std::to_string(n));
    ++n;
  }
  EXPECT_TRUE(reader.status().ok()) << reader.status();
  EXPECT_EQ(n, kN);
  EXPECT_EQ(reader.records_read(), kN);
}

TEST_P(RecordBatchCodecTest, ReaderStopsAtTheDecompressionLimit) {
  RecordBatchBuilderOptions o;
  o.compression = GetParam();
  RecordBatchBuilder b(o);
  ASSERT_TRUE(b.Append(0, std::nullopt, std::string(2 << 20, 'a')).ok());  // compresses to ~nothing
  std::string batch = *b.Build();
  RecordBatchReaderOptions ro;
  ro.max_decompressed_bytes = 1 << 20;
  RecordBatchReader reader(ro);
  absl::Status s = reader.Reset(batch);
  if (GetParam() == Compression::kNone) {
    EXPECT_TRUE(s.ok());  // nothing to decompress; the limit is for compressed data
  } else {
    EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
    Record r;
    EXPECT_FALSE(reader.Next(&r));
    EXPECT_LE(reader.buffer_capacity(), 2 * ((1u << 20) + 64));
  }
}

TEST_P(RecordBatchCodecTest, SurvivesRandomCorruptionWithValidCrc) {
  RecordBatchBuilderOptions o;
  o.compression = GetParam();
  std::string batch = BuildBatch(VariedRecords(0), o);
  // Drop the big record so the loop is quick.
  std::vector<OwnedRecord> small = VariedRecords(0);
  small.erase(small.begin() + 6);
  for (auto& r : small) r.offset = &r - &small[0];
  batch = BuildBatch(small, o);
  std::mt19937 rng(static_cast<uint32_t>(GetParam()) + 1);
  RecordBatchReader reader;
  int failures = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string m = batch;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      size_t pos = kBatchCrcStart + rng() % (m.size() - kBatchCrcStart);
      m[pos] = static_cast<char>(m[pos] ^ (1 << (rng() % 8)));
    }
    UpdateCrc(m.data(), m.size());  // get past the CRC to the parsers
    if (reader.Reset(m).ok()) {
      Record r;
      while (reader.Next(&r)) {
        // Touch every view: under ASan this proves they stay in bounds.
        size_t sum = 0;
        if (r.key) sum += std::count(r.key->begin(), r.key->end(), 'x');
        if (r.value) sum += std::count(r.value->begin(), r.value->end(), 'x');
        for (const RecordHeader& h : r.headers) sum += h.key.size() + (h.value ? h.value->size() : 0);
        (void)sum;
      }
    }
    if (!reader.status().ok()) ++failures;
  }
  EXPECT_GT(failures, 0);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, RecordBatchCodecTest, ::testing::ValuesIn(kAllCodecs),
                         CodecName);

TEST(RecordBatchBuilderTest, WritesEveryHeaderField) {
  RecordBatchBuilderOptions o;
  o.compression = Compression::kLz4;
  o.base_offset = 77;
  o.partition_leader_epoch = 5;
  o.producer_id = 123456789;
  o.producer_epoch = 3;
  o.base_sequence = 42;
  o.transactional = true;
  RecordBatchBuilder b(o);
  ASSERT_TRUE(b.Append(500, "a", "1").ok());
  ASSERT_TRUE(b.Append(700, "b", "2").ok());
  ASSERT_TRUE(b.Append(600, "c", "3").ok());
  std::string batch = *b.Build();
  ASSERT_TRUE(ValidateBatch(batch).ok());
  BatchHeader h = ParseBatchHeader(batch.data());
  EXPECT_EQ(h.base_offset, 77);
  EXPECT_EQ(h.partition_leader_epoch, 5);
  EXPECT_EQ(h.magic, 2);
  EXPECT_EQ(h.attributes, batch_attributes::kTransactional | 3);
  EXPECT_EQ(h.last_offset_delta, 2);
  EXPECT_EQ(h.base_timestamp, 500);
  EXPECT_EQ(h.max_timestamp, 700);
  EXPECT_EQ(h.producer_id, 123456789);
  EXPECT_EQ(h.producer_epoch, 3);
  EXPECT_EQ(h.base_sequence, 42);
  EXPECT_EQ(h.last_sequence(), 44);
  EXPECT_EQ(h.records_count, 3);
  EXPECT_EQ(h.total_size(), batch.size());
  EXPECT_EQ(h.next_offset(), 80);
}

TEST(RecordBatchBuilderTest, LogAppendTimeGivesEveryRecordTheBatchTime) {
  RecordBatchBuilderOptions o;
  o.timestamp_type = TimestampType::kLogAppendTime;
  o.log_append_time_ms = 99999;
  RecordBatchBuilder b(o);
  ASSERT_TRUE(b.Append(10, "a", "1").ok());
  ASSERT_TRUE(b.Append(20, "b", "2").ok());
  std::string batch = *b.Build();
  BatchHeader h = ParseBatchHeader(batch.data());
  EXPECT_TRUE(h.log_append_time());
  EXPECT_EQ(h.max_timestamp, 99999);
  for (const OwnedRecord& r : ReadAll(batch)) EXPECT_EQ(r.timestamp, 99999);
}

TEST(RecordBatchBuilderTest, RecordsWithoutTimestampsKeepMinusOne) {
  RecordBatchBuilder b;
  ASSERT_TRUE(b.Append(-1, "a", "1").ok());
  std::string batch = *b.Build();
  BatchHeader h = ParseBatchHeader(batch.data());
  EXPECT_EQ(h.base_timestamp, -1);
  EXPECT_EQ(h.max_timestamp, -1);
  EXPECT_EQ(ReadAll(batch)[0].timestamp, -1);
}

TEST(RecordBatchBuilderTest, OffsetGapsFromCompactionRoundTrip) {
  RecordBatchBuilderOptions o;
  o.base_offset = 100;
  o.compression = Compression::kZstd;
  RecordBatchBuilder b(o);
  ASSERT_TRUE(b.AppendWithOffset(100, 1, "a", "1").ok());
  ASSERT_TRUE(b.AppendWithOffset(105, 2, "b", "2").ok());
  ASSERT_TRUE(b.AppendWithOffset(190, 3, "c", std::nullopt).ok());  // tombstone
  EXPECT_EQ(b.AppendWithOffset(190, 4, "d", "4").code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(b.AppendWithOffset(99, 4, "d", "4").code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(b.AppendWithOffset(100 + (int64_t{1} << 31), 4, "d", "4").code(),
            absl::StatusCode::kOutOfRange);
  std::string batch = *b.Build();
  BatchHeader h = ParseBatchHeader(batch.data());
  EXPECT_EQ(h.records_count, 3);
  EXPECT_EQ(h.last_offset_delta, 90);
  std::vector<OwnedRecord> got = ReadAll(batch);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].offset, 100);
  EXPECT_EQ(got[1].offset, 105);
  EXPECT_EQ(got[2].offset, 190);
  EXPECT_FALSE(got[2].value.has_value());
}

TEST(RecordBatchBuilderTest, EnforcesItsLimitsAndLeavesTheBatchIntact) {
  RecordBatchBuilderOptions o;
  o.max_records = 2;
  o.max_records_bytes = 100;
  RecordBatchBuilder b(o);
  ASSERT_TRUE(b.Append(0, "a", "1").ok());
  EXPECT_EQ(b.Append(0, "big", std::string(200, 'x')).code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(b.Append(0, "b", "2").ok());
  EXPECT_EQ(b.Append(0, "c", "3").code(), absl::StatusCode::kOutOfRange);
  std::vector<OwnedRecord> got = ReadAll(*b.Build());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].offset, 1);
}

TEST(RecordBatchBuilderTest, RefusesAnEmptyBatchAndAppendAfterFinish) {
  RecordBatchBuilder b;
  EXPECT_EQ(b.Build().status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(b.Append(0, "a", "1").ok());
  ASSERT_TRUE(b.Build().ok());
  EXPECT_EQ(b.Append(0, "a", "1").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(b.Build().status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(RecordBatchBuilderTest, ResetBuildsIdenticalBatchesAndFinishAppends) {
  RecordBatchBuilderOptions o;
  o.compression = Compression::kGzip;
  RecordBatchBuilder b(o);
  std::string all;
  for (int i = 0; i < 3; ++i) {
    b.Reset(o);
    ASSERT_TRUE(b.Append(5, "k", "v").ok());
    ASSERT_TRUE(b.Finish(&all).ok());
  }
  ASSERT_EQ(all.size() % 3, 0u);
  size_t one = all.size() / 3;
  EXPECT_EQ(all.substr(0, one), all.substr(one, one));
  EXPECT_EQ(all.substr(one, one), all.substr(2 * one));
  // Uncompressed Finish into a non-empty string appends too.
  RecordBatchBuilder plain;
  ASSERT_TRUE(plain.Append(5, "k", "v").ok());
  std::string prefixed = "xyz";
  ASSERT_TRUE(plain.Finish(&prefixed).ok());
  EXPECT_EQ(prefixed.substr(0, 3), "xyz");
  EXPECT_TRUE(ValidateBatch(std::string_view(prefixed).substr(3)).ok());
}

TEST(RecordBatchReaderTest, ReusesItsBufferAcrossBatches) {
  RecordBatchBuilderOptions o;
  o.compression = Compression::kSnappy;
  std::vector<std::string> batches;
  for (int i = 0; i < 5; ++i) {
    RecordBatchBuilder b(o);
    ASSERT_TRUE(b.Append(i, "k", std::string(10000, static_cast<char>('a' + i))).ok());
    batches.push_back(*b.Build());
  }
  RecordBatchReader reader;
  ASSERT_EQ(ReadAll(batches[0], reader).size(), 1u);
  size_t cap = reader.buffer_capacity();
  for (const std::string& b : batches) {
    std::vector<OwnedRecord> got = ReadAll(b, reader);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].value->front(), static_cast<char>('a' + got[0].timestamp));
  }
  EXPECT_EQ(reader.buffer_capacity(), cap);
}

TEST(RecordBatchReaderTest, AnEmptyCompactedBatchYieldsNothingForAnyCodec) {
  for (Compression c : kAllCodecs) {
    std::string batch = RawBatch("", 0, 41, static_cast<uint16_t>(c));
    RecordBatchReader reader;
    ASSERT_TRUE(reader.Reset(batch).ok()) << CompressionName(c);
    Record r;
    EXPECT_FALSE(reader.Next(&r));
    EXPECT_TRUE(reader.status().ok());
  }
}

TEST(RecordBatchReaderTest, NextBeforeResetFails) {
  RecordBatchReader reader;
  Record r;
  EXPECT_FALSE(reader.Next(&r));
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kFailedPrecondition);
}

std::string TwoRecords() {
  std::string s;
  AppendRecord(0, 0, std::string_view("a"), std::string_view("1"), {}, &s);
  AppendRecord(0, 1, std::string_view("b"), std::string_view("2"), {}, &s);
  return s;
}

absl::Status ReadStatus(std::string_view batch, RecordBatchReaderOptions options = {}) {
  RecordBatchReader reader(options);
  if (absl::Status s = reader.Reset(batch); !s.ok()) return s;
  return reader.ValidateRemaining();
}

TEST(RecordBatchReaderTest, RejectsTruncationAtEveryLength) {
  RecordBatchBuilderOptions o;
  for (Compression c : kAllCodecs) {
    o.compression = c;
    std::vector<OwnedRecord> v = VariedRecords(0);
    v.erase(v.begin() + 6);
    for (auto& r : v) r.offset = &r - &v[0];
    std::string batch = BuildBatch(v, o);
    for (size_t n = 0; n < batch.size(); ++n) {
      EXPECT_FALSE(ReadStatus(std::string_view(batch).substr(0, n)).ok()) << n;
    }
  }
}

TEST(RecordBatchReaderTest, RejectsABadCrcUnlessTold) {
  std::string batch = RawBatch(TwoRecords(), 2, 1);
  batch[batch.size() - 2] ^= 0x01;  // the last value: "2" becomes "3"
  EXPECT_EQ(ReadStatus(batch).code(), absl::StatusCode::kDataLoss);
  RecordBatchReaderOptions no_crc;
  no_crc.verify_crc = false;
  EXPECT_TRUE(ReadStatus(batch, no_crc).ok());
}

TEST(RecordBatchReaderTest, RejectsRecordCountMismatches) {
  std::string two = TwoRecords();
  EXPECT_TRUE(ReadStatus(RawBatch(two, 2, 1)).ok());
  absl::Status more = ReadStatus(RawBatch(two, 3, 2));
  EXPECT_EQ(more.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(more.message().find("holds only 2"), std::string::npos) << more;
  absl::Status fewer = ReadStatus(RawBatch(two, 1, 1));
  EXPECT_EQ(fewer.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(fewer.message().find("bytes after them"), std::string::npos) << fewer;
  EXPECT_EQ(ReadStatus(RawBatch(two + std::string(1, '\0'), 2, 1)).code(), absl::StatusCode::kDataLoss);
}

TEST(RecordBatchReaderTest, RejectsOffsetDeltasOutOfOrderOrPastTheLast) {
  std::string s;
  AppendRecord(0, 1, std::string_view("a"), std::string_view("1"), {}, &s);
  AppendRecord(0, 1, std::string_view("b"), std::string_view("2"), {}, &s);
  EXPECT_EQ(ReadStatus(RawBatch(s, 2, 1)).code(), absl::StatusCode::kDataLoss);
  s.clear();
  AppendRecord(0, 0, std::string_view("a"), std::string_view("1"), {}, &s);
  AppendRecord(0, 5, std::string_view("b"), std::string_view("2"), {}, &s);
  EXPECT_EQ(ReadStatus(RawBatch(s, 2, 4)).code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(ReadStatus(RawBatch(s, 2, 5)).ok());
  s.clear();
  AppendRecord(0, -1, std::string_view("a"), std::string_view("1"), {}, &s);
  EXPECT_EQ(ReadStatus(RawBatch(s, 1, 0)).code(), absl::StatusCode::kDataLoss);
}

TEST(RecordBatchReaderTest, RejectsMalformedRecordsInsideABatch) {
  std::string good = TwoRecords();
  std::string bad_varint = good + "\xff\xff\xff\xff\xff\xff";
  EXPECT_EQ(ReadStatus(RawBatch(bad_varint, 3, 2)).code(), absl::StatusCode::kDataLoss);
  std::string past_end = good + "\x7e";  // length 63, nothing follows
  EXPECT_EQ(ReadStatus(RawBatch(past_end, 3, 2)).code(), absl::StatusCode::kDataLoss);
}

TEST(RecordBatchReaderTest, RejectsGarbageCompressedPayloads) {
  for (Compression c : {Compression::kGzip, Compression::kSnappy, Compression::kLz4,
                        Compression::kZstd}) {
    std::string batch = RawBatch("this is not compressed at all", 1, 0, static_cast<uint16_t>(c));
    EXPECT_EQ(ReadStatus(batch).code(), absl::StatusCode::kDataLoss) << CompressionName(c);
  }
}

TEST(RecordBatchReaderTest, RejectsCompressedPayloadsHoldingBadRecords) {
  std::string payload;
  ASSERT_TRUE(Compress(Compression::kZstd, TwoRecords() + "junk", &payload).ok());
  EXPECT_EQ(ReadStatus(RawBatch(payload, 2, 1, 4)).code(), absl::StatusCode::kDataLoss);
}

TEST(RecordBatchReaderTest, RejectsUnknownCodecsAndOtherMagics) {
  EXPECT_EQ(ReadStatus(RawBatch(TwoRecords(), 2, 1, 5)).code(), absl::StatusCode::kInvalidArgument);
  std::string v1 = RawBatch(TwoRecords(), 2, 1);
  v1[16] = 1;
  EXPECT_EQ(ReadStatus(v1).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gregor::kafka
