#include "broker/storage/log.h"
#include "broker/storage/testing/log_fixture.h"

namespace gregor::storage {
namespace {

class LogRetentionTest : public testing::LogFixture {
 protected:
  LogRetentionTest() {
    config_.segment_bytes = 1024;
    config_.retention_ms = 60'000;
  }
  // 20 batches one second apart (timestamps from the fake clock).
  std::shared_ptr<Log> Fill() {
    auto log = OpenLog();
    for (int i = 0; i < 20; ++i) {
      AppendRecords(*log, 2, 100);
      clock_.Advance(std::chrono::seconds(1));
    }
    log->SetHighWatermark(log->log_end_offset());
    EXPECT_TRUE(log->Flush().ok());
    return log;
  }
};

TEST_F(LogRetentionTest, NothingExpiresBeforeRetentionMs) {
  auto log = Fill();
  const int segments = log->segment_count();
  EXPECT_EQ(*log->ApplyRetention(), 0);
  EXPECT_EQ(log->segment_count(), segments);
}

TEST_F(LogRetentionTest, DeletesSegmentsWhoseNewestRecordIsOlderThanRetentionMs) {
  auto log = Fill();
  std::vector<int64_t> bases = log->SegmentBaseOffsets();
  ASSERT_GE(bases.size(), 4u);
  // Batch i was written at t0 + i s. At t0 + 64.5 s, batches 0..3 are > 60 s old.
  clock_.Advance(std::chrono::milliseconds(44'500));
  auto deleted = log->ApplyRetention();
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_GE(*deleted, 1);
  EXPECT_GT(log->log_start_offset().value(), 0);
  EXPECT_EQ(log->log_start_offset().value(), log->SegmentBaseOffsets().front());
  // No surviving segment is wholly expired, except possibly one still needed.
  for (int64_t b : log->SegmentBaseOffsets()) EXPECT_GE(b, bases[*deleted]);
  EXPECT_FALSE(env_.FileExists(dir_.Sub("orders-0/" + Segment::FileName(bases[0], ".log"))));
}

TEST_F(LogRetentionTest, ExpiredActiveSegmentIsRolledAndDeleted) {
  auto log = Fill();
  clock_.Advance(std::chrono::hours(1));
  auto deleted = log->ApplyRetention();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(log->segment_count(), 1);
  EXPECT_EQ(log->log_start_offset(), Offset(40));
  EXPECT_EQ(log->log_end_offset(), Offset(40));
  AppendRecords(*log, 2);
  EXPECT_EQ(log->log_end_offset(), Offset(42));
}

TEST_F(LogRetentionTest, NeverDeletesAboveTheHighWatermark) {
  auto log = Fill();
  std::vector<int64_t> bases = log->SegmentBaseOffsets();
  log = nullptr;
  LogParams p = Params();
  p.clean_shutdown = false;
  log = OpenLog(p);  // high watermark back at the log start
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(*log->ApplyRetention(), 0);
  log->SetHighWatermark(Offset(bases[2]));
  EXPECT_EQ(*log->ApplyRetention(), 2);
  EXPECT_EQ(log->log_start_offset(), Offset(bases[2]));
}

TEST_F(LogRetentionTest, RetentionBytesKeepsTheNewestData) {
  config_.retention_ms = -1;
  config_.retention_bytes = 2500;
  auto log = Fill();
  uint64_t before = log->size_bytes();
  auto deleted = log->ApplyRetention();
  ASSERT_TRUE(deleted.ok());
  EXPECT_GT(*deleted, 0);
  EXPECT_LE(log->size_bytes(), before);
  EXPECT_GE(log->size_bytes() + 1024, 2500u);  // never below the limit by more than a segment
  EXPECT_LE(log->size_bytes(), 2500u + 1024u);
}

TEST_F(LogRetentionTest, CompactOnlyTopicsKeepOldSegments) {
  config_.cleanup_delete = false;
  config_.cleanup_compact = true;
  auto log = Fill();
  const int segments = log->segment_count();
  clock_.Advance(std::chrono::hours(10));
  EXPECT_EQ(*log->ApplyRetention(), 0);
  EXPECT_EQ(log->segment_count(), segments);
}

TEST_F(LogRetentionTest, SegmentsBelowTheLogStartGoEvenWithoutExpiry) {
  config_.retention_ms = -1;
  auto log = Fill();
  std::vector<int64_t> bases = log->SegmentBaseOffsets();
  ASSERT_TRUE(log->AdvanceLogStartOffset(Offset(bases[2] + 1)).ok());
  EXPECT_EQ(log->SegmentBaseOffsets().front(), bases[2]);
  EXPECT_EQ(*log->ApplyRetention(), 0);
}

TEST_F(LogRetentionTest, ReaderOfADeletedSegmentStillReadsItWhole) {
  auto log = Fill();
  auto r = log->Read(Offset(0), ReadOptions{});
  ASSERT_TRUE(r.ok());
  FileRegion held = r->region;
  std::string expected = *held.ReadAll();
  clock_.Advance(std::chrono::hours(1));
  ASSERT_GT(*log->ApplyRetention(), 0);
  EXPECT_FALSE(env_.FileExists(dir_.Sub("orders-0/" + Segment::FileName(0, ".log"))));
  EXPECT_EQ(*held.ReadAll(), expected);
  EXPECT_FALSE(log->Read(Offset(0), ReadOptions{}).ok());
}

}  // namespace
}  // namespace gregor::storage
