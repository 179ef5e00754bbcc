#include "broker/storage/checkpoint_file.h"
#include "broker/storage/log.h"
#include "broker/storage/storage_error.h"
#include "broker/storage/testing/log_fixture.h"

namespace gregor::storage {
namespace {

using testing::MakeBatch;

class LogTruncateTest : public testing::LogFixture {
 protected:
  // 12 batches of 2 records over several segments, epochs 1 (offsets 0..9),
  // 3 (10..19) and 5 (20..23).
  std::shared_ptr<Log> Fill() {
    config_.segment_bytes = 1024;
    auto log = OpenLog();
    for (int i = 0; i < 12; ++i) AppendRecords(*log, 2, 100, i < 5 ? 1 : (i < 10 ? 3 : 5));
    return log;
  }
  std::vector<EpochEntry> Epochs(std::vector<std::pair<int32_t, int64_t>> v) {
    std::vector<EpochEntry> out;
    for (auto [e, o] : v) out.push_back({LeaderEpoch(e), Offset(o)});
    return out;
  }
};

TEST_F(LogTruncateTest, TruncateToTheLogEndOrBeyondChangesNothing) {
  auto log = Fill();
  const int segments = log->segment_count();
  ASSERT_TRUE(log->TruncateTo(Offset(24)).ok());
  ASSERT_TRUE(log->TruncateTo(Offset(100)).ok());
  EXPECT_EQ(log->log_end_offset(), Offset(24));
  EXPECT_EQ(log->segment_count(), segments);
}

TEST_F(LogTruncateTest, TruncateInsideABatchRemovesTheWholeBatch) {
  auto log = Fill();
  ASSERT_TRUE(log->TruncateTo(Offset(15)).ok());  // batch 14..15
  EXPECT_EQ(log->log_end_offset(), Offset(14));
  auto headers = ReadHeaders(*log);
  ASSERT_EQ(headers.size(), 7u);
  EXPECT_EQ(headers.back().base_offset, 12);
  EXPECT_EQ(log->EpochEntries(), Epochs({{1, 0}, {3, 10}}));
}

TEST_F(LogTruncateTest, TruncateAtEachSegmentBoundary) {
  auto log = Fill();
  std::vector<int64_t> bases = log->SegmentBaseOffsets();
  ASSERT_GE(bases.size(), 3u);
  // Exactly at the base of the last segment: it becomes empty and stays active.
  ASSERT_TRUE(log->TruncateTo(Offset(bases.back())).ok());
  EXPECT_EQ(log->log_end_offset(), Offset(bases.back()));
  EXPECT_EQ(log->SegmentBaseOffsets().back(), bases.back());
  // One below a segment base: the previous segment becomes active again.
  ASSERT_TRUE(log->TruncateTo(Offset(bases[1] - 1)).ok());
  EXPECT_EQ(log->log_end_offset(), Offset(bases[1] - 2));
  EXPECT_EQ(log->SegmentBaseOffsets(), std::vector<int64_t>{bases[0]});
  // Appends continue from there, into the reactivated segment and onwards.
  for (int i = 0; i < 6; ++i) AppendRecords(*log, 2, 100, 7);
  auto headers = ReadHeaders(*log);
  for (size_t i = 0; i < headers.size(); ++i) EXPECT_EQ(headers[i].base_offset, int64_t(2 * i));
  EXPECT_EQ(log->log_end_offset().value(), 2 * int64_t(headers.size()));
}

TEST_F(LogTruncateTest, TruncateToZeroEmptiesTheLog) {
  auto log = Fill();
  ASSERT_TRUE(log->TruncateTo(Offset(0)).ok());
  EXPECT_EQ(log->log_end_offset(), Offset(0));
  EXPECT_EQ(log->segment_count(), 1);
  EXPECT_TRUE(log->EpochEntries().empty());
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(1)), EpochEndOffset{});
}

TEST_F(LogTruncateTest, TruncateFixesTheHighWatermarkAndRecoveryPoint) {
  int lowered = 0;
  config_.segment_bytes = 1024;
  LogParams p = Params();
  p.on_recovery_point_lowered = [&] {
    ++lowered;
    return absl::OkStatus();
  };
  auto log = OpenLog(p);
  for (int i = 0; i < 12; ++i) AppendRecords(*log, 2, 100);
  log->SetHighWatermark(Offset(20));
  ASSERT_TRUE(log->Flush().ok());
  ASSERT_TRUE(log->CheckpointRecoveryPoint().ok());
  EXPECT_EQ(log->recovery_point(), Offset(24));
  ASSERT_TRUE(log->TruncateTo(Offset(9)).ok());
  EXPECT_EQ(log->high_watermark(), Offset(8));
  EXPECT_EQ(log->recovery_point(), Offset(8));
  EXPECT_EQ(log->durable_offset(), Offset(8));
  EXPECT_EQ(lowered, 1);
}

TEST_F(LogTruncateTest, TruncateCutsDurabilityWaitersAbove) {
  auto log = OpenLog();  // no flusher: a wait syncs inline
  AppendRecords(*log, 4);
  std::vector<absl::Status> got;
  log->WhenDurable(Offset(4), [&](absl::Status s) { got.push_back(s); });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].ok());
  // A wait for offsets not appended yet stays pending; the truncation cuts it.
  log->WhenDurable(Offset(6), [&](absl::Status s) { got.push_back(s); });
  EXPECT_EQ(got.size(), 1u);
  ASSERT_TRUE(log->TruncateTo(Offset(2)).ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(GetStorageError(got[1]), StorageError::kTruncated);
}

TEST_F(LogTruncateTest, TruncateAtTheLogEndDropsAnEpochThatStartsThereWithNoRecords) {
  auto log = Fill();
  // This replica became leader in epoch 7 at the log end, wrote nothing and
  // lost leadership; the new leader never heard of epoch 7.
  ASSERT_TRUE(log->AssignEpochStartOffset(LeaderEpoch(7), Offset(24)).ok());
  ASSERT_EQ(log->LatestEpoch(), LeaderEpoch(7));
  ASSERT_TRUE(log->TruncateTo(Offset(24)).ok());
  EXPECT_EQ(log->log_end_offset(), Offset(24));
  EXPECT_EQ(log->LatestEpoch(), LeaderEpoch(5));
  EXPECT_EQ(log->EpochEntries(), Epochs({{1, 0}, {3, 10}, {5, 20}}));
  auto persisted = ReadEpochCheckpoint(&env_, dir_.Sub("orders-0/leader-epoch-checkpoint"));
  ASSERT_TRUE(persisted.ok());
  EXPECT_EQ(*persisted, log->EpochEntries());
}

TEST_F(LogTruncateTest, EpochCacheTruncatesWithTheLogAndPersists) {
  auto log = Fill();
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(3)), (EpochEndOffset{LeaderEpoch(3), Offset(20)}));
  ASSERT_TRUE(log->TruncateTo(Offset(20)).ok());
  EXPECT_EQ(log->EpochEntries(), Epochs({{1, 0}, {3, 10}}));
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(3)), (EpochEndOffset{LeaderEpoch(3), Offset(20)}));
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(5)), EpochEndOffset{});
  auto persisted = ReadEpochCheckpoint(&env_, dir_.Sub("orders-0/leader-epoch-checkpoint"));
  ASSERT_TRUE(persisted.ok());
  EXPECT_EQ(*persisted, log->EpochEntries());
}

TEST_F(LogTruncateTest, TruncateFullyRestartsTheLogAtAnOffset) {
  auto log = Fill();
  ASSERT_TRUE(log->TruncateFullyAndStartAt(Offset(500)).ok());
  EXPECT_EQ(log->log_start_offset(), Offset(500));
  EXPECT_EQ(log->log_end_offset(), Offset(500));
  EXPECT_EQ(log->SegmentBaseOffsets(), std::vector<int64_t>{500});
  EXPECT_TRUE(log->EpochEntries().empty());
  std::string b = MakeBatch(500, 3);
  ASSERT_TRUE(log->AppendAsFollower({b.data(), b.size()}).ok());
  EXPECT_EQ(log->log_end_offset(), Offset(503));
  EXPECT_EQ(GetStorageError(log->Read(Offset(10), ReadOptions{}).status()),
            StorageError::kOffsetOutOfRange);
}

TEST_F(LogTruncateTest, TruncateBelowTheLogStartTruncatesFully) {
  auto log = Fill();
  log->SetHighWatermark(Offset(24));
  ASSERT_TRUE(log->AdvanceLogStartOffset(Offset(10)).ok());
  ASSERT_TRUE(log->TruncateTo(Offset(6)).ok());
  EXPECT_EQ(log->log_start_offset(), Offset(6));
  EXPECT_EQ(log->log_end_offset(), Offset(6));
}

TEST_F(LogTruncateTest, AdvanceLogStartDeletesWholeSegmentsBelowIt) {
  auto log = Fill();
  std::vector<int64_t> bases = log->SegmentBaseOffsets();
  log->SetHighWatermark(Offset(24));
  EXPECT_EQ(GetStorageError(log->AdvanceLogStartOffset(Offset(25))),
            StorageError::kOffsetOutOfRange);
  ASSERT_TRUE(log->AdvanceLogStartOffset(Offset(bases[1] + 1)).ok());
  EXPECT_EQ(log->log_start_offset(), Offset(bases[1] + 1));
  EXPECT_EQ(log->SegmentBaseOffsets().front(), bases[1]);
  EXPECT_FALSE(env_.FileExists(dir_.Sub("orders-0/" + Segment::FileName(bases[0], ".log"))));
  // Going backwards is a no-op.
  ASSERT_TRUE(log->AdvanceLogStartOffset(Offset(2)).ok());
  EXPECT_EQ(log->log_start_offset(), Offset(bases[1] + 1));
  EXPECT_EQ(log->EpochEntries().front().start_offset, Offset(bases[1] + 1));
}

}  // namespace
}  // namespace gregor::storage
