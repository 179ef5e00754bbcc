// Decodes record batches written by real clients — kafka-python 3.0.12 and
// Apache Kafka's Java client 4.1.1 (MemoryRecords) — record by record, and
// compares them with the manifests the clients' own readers produced.
// The goldens and the scripts that made them are in testdata/ (README.md).
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/batch_iterator.h"
#include "proto/kafka/records/control_record.h"
#include "proto/kafka/records/interop_manifest.h"
#include "proto/kafka/records/produce_validation.h"
#include "proto/kafka/records/record_batch_builder.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace gregor::kafka {
namespace {

using records_testing::DescribeBatches;
using records_testing::InteropRecord;
using records_testing::RecordLine;

std::string ReadFile(const std::string& name) {
  std::ifstream f("proto/kafka/records/testdata/" + name, std::ios::binary);
  EXPECT_TRUE(f.good()) << "missing golden file " << name;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Golden {
  const char* name;
  Compression codec;
  // For a plain producer batch: how many records of the shared set it holds
  // (0 for the others).
  int shared_records;
};

const Golden kGoldens[] = {
    {"java_none", Compression::kNone, 40},
    {"java_gzip", Compression::kGzip, 40},
    {"java_snappy", Compression::kSnappy, 40},
    {"java_lz4", Compression::kLz4, 40},
    {"java_zstd", Compression::kZstd, 40},
    {"java_small_none", Compression::kNone, 6},
    {"java_small_gzip", Compression::kGzip, 6},
    {"java_small_snappy", Compression::kSnappy, 6},
    {"java_small_lz4", Compression::kLz4, 6},
    {"java_small_zstd", Compression::kZstd, 6},
    {"java_txn_commit", Compression::kLz4, 0},
    {"java_txn_abort", Compression::kNone, 0},
    {"python_none", Compression::kNone, 40},
    {"python_gzip", Compression::kGzip, 40},
    {"python_snappy", Compression::kSnappy, 40},
    {"python_raw_snappy", Compression::kSnappy, 40},
    {"python_small_raw_snappy", Compression::kSnappy, 6},
    {"python_lz4", Compression::kLz4, 40},
    {"python_zstd", Compression::kZstd, 40},
    {"python_idempotent_zstd", Compression::kZstd, 0},
};

class GoldenTest : public ::testing::TestWithParam<Golden> {};

TEST_P(GoldenTest, DecodesLikeTheClientsOwnReader) {
  std::string bin = ReadFile(std::string(GetParam().name) + ".bin");
  std::string expected = ReadFile(std::string(GetParam().name) + ".txt");
  ASSERT_FALSE(bin.empty());
  ASSERT_FALSE(expected.empty());
  auto got = DescribeBatches(bin);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, expected);
  EXPECT_EQ(ParseBatchHeader(bin.data()).compression(), GetParam().codec);
}

TEST_P(GoldenTest, HoldsTheSharedRecordSet) {
  const int n = GetParam().shared_records;
  if (n == 0) GTEST_SKIP() << "not a batch of the shared record set";
  std::string expected = ReadFile(std::string(GetParam().name) + ".txt");
  std::vector<std::string> lines = absl::StrSplit(expected, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(n + 1));
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(lines[i + 1], RecordLine(InteropRecord(i))) << "record " << i;
  }
}

TEST_P(GoldenTest, ProducerBatchesPassProduceValidation) {
  const int n = GetParam().shared_records;
  if (n == 0) GTEST_SKIP() << "not a producer batch";
  std::string bin = ReadFile(std::string(GetParam().name) + ".bin");
  auto info = ValidateProducePayload(bin);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->record_count, n);
  EXPECT_EQ(info->max_timestamp, 1700000000000 + 3 * (n - 1));
}

TEST_P(GoldenTest, EveryFlippedByteIsAnErrorNotACrash) {
  std::string bin = ReadFile(std::string(GetParam().name) + ".bin");
  RecordBatchReader reader;
  // Every byte of small goldens, a stride through big ones.
  size_t step = bin.size() > 4000 ? bin.size() / 2000 : 1;
  for (size_t pos = 0; pos < bin.size(); pos += step) {
    std::string m = bin;
    m[pos] ^= 0x41;
    BatchIterator it(m);
    std::string_view batch;
    bool failed = false;
    while (it.Next(&batch)) {
      if (!reader.Reset(batch).ok() || !reader.ValidateRemaining().ok()) failed = true;
    }
    if (!it.status().ok()) failed = true;
    // Bytes outside the CRC (baseOffset, partitionLeaderEpoch) may change
    // without error; everything else must be caught.
    size_t in_batch = pos;
    BatchIterator clean(bin);
    while (clean.Next(&batch)) {
      if (in_batch < batch.size()) break;
      in_batch -= batch.size();
    }
    bool outside_crc = in_batch < 8 || (in_batch >= 12 && in_batch < 16);
    if (!outside_crc) EXPECT_TRUE(failed) << GetParam().name << " byte " << pos;
  }
}

INSTANTIATE_TEST_SUITE_P(Clients, GoldenTest, ::testing::ValuesIn(kGoldens),
                         [](const ::testing::TestParamInfo<Golden>& info) {
                           return std::string(info.param.name);
                         });

TEST(GoldenDetailTest, JavaTransactionEndsWithACommitMarker) {
  std::string bin = ReadFile("java_txn_commit.bin");
  auto batches = SplitBatches(bin);
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 3u);
  RecordBatchReader reader;
  ASSERT_TRUE(reader.Reset((*batches)[2]).ok());
  EXPECT_TRUE(reader.header().is_control());
  EXPECT_TRUE(reader.header().is_transactional());
  EXPECT_EQ(reader.header().producer_id, 4242);
  EXPECT_EQ(reader.header().partition_leader_epoch, 7);
  Record r;
  ASSERT_TRUE(reader.Next(&r));
  auto marker = ParseEndTxnMarker(r);
  ASSERT_TRUE(marker.ok()) << marker.status();
  EXPECT_EQ(*marker, (EndTxnMarker{.commit = true, .coordinator_epoch = 11}));
  // Our builder writes the same marker batch byte for byte.
  auto ours = BuildEndTxnMarkerBatch({.commit = true, .coordinator_epoch = 11},
                                     {.producer_id = 4242,
                                      .producer_epoch = 3,
                                      .base_offset = 108,
                                      .partition_leader_epoch = 7,
                                      .timestamp_ms = 1700000000999});
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(*ours, std::string((*batches)[2]));
}

TEST(GoldenDetailTest, JavaUncompressedBatchIsByteIdenticalToOurs) {
  std::string bin = ReadFile("java_none.bin");
  RecordBatchBuilder b;
  for (int i = 0; i < 40; ++i) {
    records_testing::OwnedRecord r = InteropRecord(i);
    std::vector<RecordHeader> headers;
    for (const auto& [k, v] : r.headers) {
      headers.push_back({k, v ? std::optional<std::string_view>(*v) : std::nullopt});
    }
    std::optional<std::string_view> key, value;
    if (r.key) key = *r.key;
    if (r.value) value = *r.value;
    ASSERT_TRUE(b.Append(r.timestamp, key, value, headers).ok());
  }
  auto ours = b.Build();
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(*ours, bin);
}

}  // namespace
}  // namespace gregor::kafka
