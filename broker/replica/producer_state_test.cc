#include "broker/replica/producer_state.h"

#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

kafka::BatchHeader Batch(int64_t pid, int16_t epoch, int32_t seq, int32_t count,
                         int64_t offset = 0) {
  kafka::BatchHeader h;
  h.producer_id = pid;
  h.producer_epoch = epoch;
  h.base_sequence = seq;
  h.last_offset_delta = count - 1;
  h.records_count = count;
  h.base_offset = offset;
  h.max_timestamp = 1000 + offset;
  return h;
}

using Kind = ProducerCheck::Kind;

TEST(ProducerStateTest, AcceptsConsecutiveSequencesAndRejectsGaps) {
  ProducerStateManager m;
  EXPECT_EQ(m.Check(Batch(7, 0, 0, 3)).kind, Kind::kAppend);
  m.OnAppend(Batch(7, 0, 0, 3, 100));
  EXPECT_EQ(m.Check(Batch(7, 0, 3, 2)).kind, Kind::kAppend);
  ProducerCheck gap = m.Check(Batch(7, 0, 5, 1));
  EXPECT_EQ(gap.kind, Kind::kError);
  EXPECT_EQ(gap.error_code, 45);  // OUT_OF_ORDER_SEQUENCE_NUMBER
}

TEST(ProducerStateTest, RetriedBatchIsADuplicateWithItsOriginalOffsets) {
  ProducerStateManager m;
  m.OnAppend(Batch(7, 0, 0, 3, 100));
  m.OnAppend(Batch(7, 0, 3, 2, 103));
  ProducerCheck dup = m.Check(Batch(7, 0, 0, 3));
  ASSERT_EQ(dup.kind, Kind::kDuplicate);
  EXPECT_EQ(dup.duplicate_of.first_offset, 100);
  EXPECT_EQ(dup.duplicate_of.last_offset, 102);
}

TEST(ProducerStateTest, OnlyTheLastFiveBatchesAreRemembered) {
  ProducerStateManager m;
  for (int i = 0; i < 6; ++i) m.OnAppend(Batch(7, 0, i, 1, 100 + i));
  EXPECT_EQ(m.Check(Batch(7, 0, 0, 1)).kind, Kind::kError);  // too old to dedupe
  EXPECT_EQ(m.Check(Batch(7, 0, 1, 1)).kind, Kind::kDuplicate);
}

TEST(ProducerStateTest, FencesOlderEpochsAndRequiresSequenceZeroForANewOne) {
  ProducerStateManager m;
  m.OnAppend(Batch(7, 3, 0, 1, 10));
  ProducerCheck old = m.Check(Batch(7, 2, 1, 1));
  EXPECT_EQ(old.kind, Kind::kError);
  EXPECT_EQ(old.error_code, 47);  // INVALID_PRODUCER_EPOCH
  EXPECT_EQ(m.Check(Batch(7, 4, 5, 1)).error_code, 45);
  EXPECT_EQ(m.Check(Batch(7, 4, 0, 1)).kind, Kind::kAppend);
}

TEST(ProducerStateTest, UnknownProducerMayStartAnywhere) {
  // Its state may have been removed by retention: accept like Kafka does.
  ProducerStateManager m;
  EXPECT_EQ(m.Check(Batch(9, 0, 42, 1)).kind, Kind::kAppend);
}

TEST(ProducerStateTest, SequenceWrapsAtInt32Max) {
  ProducerStateManager m;
  m.OnAppend(Batch(7, 0, std::numeric_limits<int32_t>::max(), 1, 5));
  EXPECT_EQ(m.Check(Batch(7, 0, 0, 1)).kind, Kind::kAppend);
}

TEST(ProducerStateTest, NonIdempotentBatchesAreAlwaysAppended) {
  ProducerStateManager m;
  EXPECT_EQ(m.Check(Batch(-1, -1, -1, 10)).kind, Kind::kAppend);
  m.OnAppend(Batch(-1, -1, -1, 10));
  EXPECT_EQ(m.size(), 0u);
}

TEST(ProducerStateTest, TruncationForgetsBatchesBeyondTheOffset) {
  ProducerStateManager m;
  m.OnAppend(Batch(7, 0, 0, 2, 100));
  m.OnAppend(Batch(7, 0, 2, 2, 102));
  m.OnAppend(Batch(8, 0, 0, 1, 104));
  m.TruncateTo(102);
  EXPECT_EQ(m.Find(8), nullptr);
  ASSERT_NE(m.Find(7), nullptr);
  EXPECT_EQ(m.Find(7)->batches.back().last_seq, 1);
  EXPECT_EQ(m.Check(Batch(7, 0, 2, 2)).kind, Kind::kAppend);  // may be re-sent now
}

TEST(ProducerStateTest, ExpiresIdleProducers) {
  ProducerStateManager m;
  m.OnAppend(Batch(7, 0, 0, 1, 0));    // timestamp 1000
  m.OnAppend(Batch(8, 0, 0, 1, 500));  // timestamp 1500
  m.ExpireOlderThan(1200);
  EXPECT_EQ(m.Find(7), nullptr);
  EXPECT_NE(m.Find(8), nullptr);
}

}  // namespace
}  // namespace gregor::broker
