#include "broker/storage/compaction_filter.h"

#include "broker/storage/testing/batch_builder.h"
#include "gtest/gtest.h"
#include "proto/kafka/records/record_batch_builder.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace gregor::storage {
namespace {

using testing::BatchSpec;
using testing::BuildBatch;
using testing::MakeControlBatch;
using testing::TestRecord;

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kRetention = 86'400'000;

struct Rec {
  int64_t offset;
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp;
  friend bool operator==(const Rec&, const Rec&) = default;
};

std::vector<Rec> Records(std::string_view batch) {
  kafka::RecordBatchReader reader;
  EXPECT_TRUE(reader.Reset(batch).ok());
  std::vector<Rec> out;
  kafka::Record r;
  while (reader.Next(&r)) {
    out.push_back({r.offset, r.key ? std::optional<std::string>(std::string(*r.key)) : std::nullopt,
                   r.value ? std::optional<std::string>(std::string(*r.value)) : std::nullopt,
                   r.timestamp});
  }
  EXPECT_TRUE(reader.status().ok()) << reader.status();
  return out;
}

std::string Batch(int64_t base, std::vector<TestRecord> records, int64_t pid = -1,
                  bool txn = false) {
  BatchSpec s;
  s.base_offset = base;
  s.records = std::move(records);
  s.producer_id = pid;
  s.producer_epoch = pid >= 0 ? 0 : -1;
  s.base_sequence = pid >= 0 ? 0 : -1;
  s.transactional = txn;
  s.base_timestamp = 1'000'000;
  return BuildBatch(s);
}

class CompactionFilterTest : public ::testing::Test {
 protected:
  CompactionFilter Filter(int64_t now = kNow) {
    return CompactionFilter({&map_, &txns_, now, kRetention, 1 << 20});
  }
  // Runs one batch through a fresh filter.
  std::string Run(const std::string& batch, int64_t now = kNow) {
    CompactionFilter f = Filter(now);
    std::string out;
    EXPECT_TRUE(f.Filter(batch, &out, &stats_).ok());
    if (!out.empty()) EXPECT_TRUE(kafka::ValidateBatch(out).ok());
    return out;
  }

  KeyMap map_{1 << 20};
  TransactionFacts txns_;
  CompactionStats stats_;
};

TEST_F(CompactionFilterTest, KeepsOnlyTheLatestRecordOfEachKey) {
  std::string b = Batch(100, {{"a", "1", 0}, {"b", "1", 1}, {"a", "2", 2}, {"c", "1", 3}});
  map_.Put("a", 102);
  map_.Put("b", 250);  // superseded later in the log
  map_.Put("c", 103);
  std::string out = Run(b);
  kafka::BatchHeader h = kafka::ParseBatchHeader(out.data());
  EXPECT_EQ(h.base_offset, 100);
  EXPECT_EQ(h.last_offset_delta, 3);  // kept so producer sequences stay right
  EXPECT_EQ(h.records_count, 2);
  EXPECT_EQ(Records(out),
            (std::vector<Rec>{{102, "a", "2", 1'000'002}, {103, "c", "1", 1'000'003}}));
  EXPECT_EQ(stats_.records_dropped, 2);
}

TEST_F(CompactionFilterTest, UnchangedBatchesAreCopiedByteForByte) {
  std::string b = Batch(0, {{"a", "1", 0}, {"b", "1", 1}});
  std::string out = Run(b);
  EXPECT_EQ(out, b);
  EXPECT_EQ(stats_.batches_rewritten, 0);
}

TEST_F(CompactionFilterTest, RecordsWithoutKeysAreDropped) {
  std::string b = Batch(0, {{std::nullopt, "x", 0}, {"k", "v", 1}});
  std::string out = Run(b);
  EXPECT_EQ(Records(out).size(), 1u);
}

TEST_F(CompactionFilterTest, BatchWithNothingLeftIsDropped) {
  std::string b = Batch(0, {{"a", "1", 0}});
  map_.Put("a", 10);
  EXPECT_TRUE(Run(b).empty());
  EXPECT_EQ(stats_.batches_dropped, 1);
}

TEST_F(CompactionFilterTest, TombstoneGetsADeleteHorizonThenGoes) {
  std::string b = Batch(5, {{"a", std::nullopt, 0}, {"b", "v", 7}});
  std::string first = Run(b);
  kafka::BatchHeader h = kafka::ParseBatchHeader(first.data());
  ASSERT_TRUE(h.attributes & kafka::batch_attributes::kDeleteHorizon);
  EXPECT_EQ(h.base_timestamp, kNow + kRetention);
  // Record timestamps survive the new base timestamp.
  EXPECT_EQ(Records(first),
            (std::vector<Rec>{{5, "a", std::nullopt, 1'000'000}, {6, "b", "v", 1'000'007}}));
  // Before the horizon: unchanged.
  EXPECT_EQ(Run(first, kNow + kRetention - 1), first);
  // After it: the tombstone goes, the value stays (horizon kept).
  std::string second = Run(first, kNow + kRetention);
  EXPECT_EQ(Records(second), (std::vector<Rec>{{6, "b", "v", 1'000'007}}));
  EXPECT_EQ(stats_.tombstones_dropped, 1);
}

TEST_F(CompactionFilterTest, LastBatchOfAProducerIsKeptEmpty) {
  std::string b = Batch(40, {{"a", "1", 0}, {"a", "2", 1}, {"a", "3", 2}}, /*pid=*/7);
  map_.Put("a", 99);
  txns_.last_batch_of_producer[7] = 40;
  std::string out = Run(b);
  ASSERT_FALSE(out.empty());
  kafka::BatchHeader h = kafka::ParseBatchHeader(out.data());
  EXPECT_EQ(h.records_count, 0);
  EXPECT_EQ(h.base_offset, 40);
  EXPECT_EQ(h.last_offset_delta, 2);
  EXPECT_EQ(h.producer_id, 7);
  EXPECT_EQ(h.last_sequence(), 2);
  EXPECT_EQ(out.size(), kafka::kBatchHeaderSize);
  // Not the last batch: dropped.
  txns_.last_batch_of_producer[7] = 80;
  EXPECT_TRUE(Run(b).empty());
}

TEST_F(CompactionFilterTest, AbortedTransactionsGoAndMarkersWaitForTheirData) {
  // Producer 1 commits k1, producer 2 aborts k2.
  std::string c_data = Batch(0, {{"k1", "v", 0}}, 1, true);
  std::string a_data = Batch(1, {{"k2", "v", 0}}, 2, true);
  std::string c_marker = MakeControlBatch(2, 1, 0, /*commit=*/true, 1'000'000);
  std::string a_marker = MakeControlBatch(3, 2, 0, /*commit=*/false, 1'000'000);
  TransactionScanner scan;
  for (const std::string* b : {&c_data, &a_data, &c_marker, &a_marker}) {
    kafka::BatchHeader h = kafka::ParseBatchHeader(b->data());
    ASSERT_TRUE(scan.OnBatch(h, h.is_control() ? std::string_view(*b) : "").ok());
  }
  txns_ = scan.Finish();
  EXPECT_EQ(txns_.aborted_batches, std::set<int64_t>{1});
  EXPECT_FALSE(txns_.first_open_txn_offset.has_value());

  auto run_all = [&](int64_t now, std::vector<std::string> in) {
    CompactionFilter f = Filter(now);
    std::vector<std::string> out;
    for (const auto& b : in) {
      std::string o;
      EXPECT_TRUE(f.Filter(b, &o, &stats_).ok());
      out.push_back(o);
    }
    return out;
  };
  // Last batches of the producers are the markers: other batches may go.
  auto out = run_all(kNow, {c_data, a_data, c_marker, a_marker});
  EXPECT_EQ(out[0], c_data);     // committed data stays
  EXPECT_TRUE(out[1].empty());   // aborted data goes
  ASSERT_FALSE(out[2].empty());  // commit marker: its data is still there
  ASSERT_FALSE(out[3].empty());  // abort marker: kept until its horizon
  EXPECT_TRUE(kafka::ParseBatchHeader(out[3].data()).attributes &
              kafka::batch_attributes::kDeleteHorizon);
  // After the horizon, the abort marker (no data left) is emptied but kept as
  // the producer's last batch; the commit marker stays while k1 stays.
  auto later = run_all(kNow + kRetention + 1, {out[0], out[2], out[3]});
  EXPECT_EQ(later[0], out[0]);
  EXPECT_EQ(later[1], out[2]);
  ASSERT_FALSE(later[2].empty());
  EXPECT_EQ(kafka::ParseBatchHeader(later[2].data()).records_count, 0);
  // Once k1 is superseded, its marker can go too (when not the last batch).
  map_.Put("k1", 50);
  txns_.last_batch_of_producer[1] = 60;
  txns_.last_batch_of_producer[2] = 60;
  auto last = run_all(kNow + kRetention + 1, {out[0], out[2], out[3]});
  EXPECT_TRUE(last[0].empty());
  EXPECT_TRUE(last[1].empty());
  EXPECT_TRUE(last[2].empty());
}

TEST_F(CompactionFilterTest, TransactionScannerFindsOpenTransactions) {
  TransactionScanner scan;
  std::string d1 = Batch(10, {{"k", "v", 0}}, 3, true);
  std::string d2 = Batch(11, {{"k", "v", 0}}, 3, true);
  std::string plain = Batch(12, {{"k", "v", 0}}, 4, false);
  for (const std::string* b : {&d1, &d2, &plain}) {
    ASSERT_TRUE(scan.OnBatch(kafka::ParseBatchHeader(b->data()), "").ok());
  }
  TransactionFacts f = scan.Finish();
  EXPECT_EQ(f.first_open_txn_offset, 10);
  EXPECT_EQ(f.last_batch_of_producer.at(3), 11);
  EXPECT_EQ(f.last_batch_of_producer.at(4), 12);
}

TEST_F(CompactionFilterTest, CompressedBatchesAreRewrittenWithTheirCodec) {
  for (kafka::Compression codec : {kafka::Compression::kGzip, kafka::Compression::kSnappy,
                                   kafka::Compression::kLz4, kafka::Compression::kZstd}) {
    kafka::RecordBatchBuilderOptions o;
    o.compression = codec;
    o.base_offset = 1000;
    kafka::RecordBatchBuilder builder(o);
    for (int i = 0; i < 20; ++i) {
      std::string key = "k" + std::to_string(i % 5);
      std::string value(100, static_cast<char>('a' + i));
      ASSERT_TRUE(builder.Append(2'000'000 + i, key, value).ok());
    }
    auto batch = builder.Build();
    ASSERT_TRUE(batch.ok());
    map_ = KeyMap(1 << 20);
    for (int k = 0; k < 5; ++k) map_.Put("k" + std::to_string(k), 1015 + k);
    std::string out = Run(*batch);
    kafka::BatchHeader h = kafka::ParseBatchHeader(out.data());
    EXPECT_EQ(h.compression(), codec);
    EXPECT_EQ(h.last_offset_delta, 19);
    std::vector<Rec> recs = Records(out);
    ASSERT_EQ(recs.size(), 5u);
    for (int k = 0; k < 5; ++k) {
      EXPECT_EQ(recs[k].offset, 1015 + k);
      EXPECT_EQ(recs[k].value, std::string(100, static_cast<char>('a' + 15 + k)));
    }
  }
}

TEST_F(CompactionFilterTest, KeyMapCountsItsMemory) {
  KeyMap m(200);
  m.Put("a", 1);
  m.Put("a", 5);
  EXPECT_EQ(m.Get("a"), 5);
  EXPECT_EQ(m.Get("b"), -1);
  EXPECT_FALSE(m.full());
  for (int i = 0; i < 10; ++i) m.Put("key" + std::to_string(i), i);
  EXPECT_TRUE(m.full());
}

}  // namespace
}  // namespace gregor::storage
