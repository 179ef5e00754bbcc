#include "broker/storage/checkpoint_file.h"
#include "broker/storage/log.h"
#include "broker/storage/testing/log_fixture.h"

namespace gregor::storage {
namespace {

using testing::MakeBatch;

class LogRecoveryTest : public testing::LogFixture {
 protected:
  LogRecoveryTest() { config_.segment_bytes = 2048; }

  std::string SegPath(int64_t base, const char* suffix = ".log") {
    return dir_.Sub("orders-0/" + Segment::FileName(base, suffix));
  }
  void Damage(const std::string& path, const std::function<void(std::string&)>& f) {
    std::string data = *ReadFileToString(Env::Default(), path, 1 << 30);
    f(data);
    ASSERT_TRUE(WriteFileAtomically(Env::Default(), path, data).ok());
  }
  // Fills 40 batches of 2 records over several segments and closes uncleanly
  // (flushed, but no clean-shutdown handling): returns the segment bases.
  std::vector<int64_t> FillAndDrop() {
    auto log = OpenLog();
    for (int i = 0; i < 40; ++i) AppendRecords(*log, 2, 100, i / 10);
    EXPECT_TRUE(log->Flush().ok());
    return log->SegmentBaseOffsets();
  }
  std::shared_ptr<Log> Reopen(bool clean, std::optional<int64_t> recovery_point) {
    LogParams p = Params();
    p.clean_shutdown = clean;
    p.recovery_point = recovery_point;
    return OpenLog(p);
  }
};

TEST_F(LogRecoveryTest, CleanReopenKeepsEverything) {
  int64_t leo;
  std::vector<EpochEntry> epochs;
  {
    auto log = OpenLog();
    for (int i = 0; i < 40; ++i) AppendRecords(*log, 2, 100, i / 10);
    log->SetHighWatermark(Offset(70));
    leo = log->log_end_offset().value();
    epochs = log->EpochEntries();
    ASSERT_TRUE(log->Close().ok());
  }
  LogParams p = Params();
  p.clean_shutdown = true;
  p.high_watermark = 70;
  auto log = OpenLog(p);
  EXPECT_EQ(log->log_end_offset(), Offset(leo));
  EXPECT_EQ(log->high_watermark(), Offset(70));
  EXPECT_EQ(log->EpochEntries(), epochs);
  EXPECT_EQ(ReadHeaders(*log).size(), 40u);
  AppendRecords(*log, 2, 100, 9);
  EXPECT_EQ(log->log_end_offset(), Offset(leo + 2));
}

TEST_F(LogRecoveryTest, TornTailIsCutAndStartUpSucceeds) {
  std::vector<int64_t> bases = FillAndDrop();
  Damage(SegPath(bases.back()), [](std::string& d) { d.resize(d.size() - 37); });
  auto log = Reopen(false, bases.back());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_end_offset(), Offset(78));
  EXPECT_EQ(ReadHeaders(*log).size(), 39u);
  AppendRecords(*log, 2, 100, 9);
  EXPECT_EQ(ReadHeaders(*log).size(), 40u);
}

TEST_F(LogRecoveryTest, ZeroedAndGarbageTailsAreCut) {
  std::vector<int64_t> bases = FillAndDrop();
  Damage(SegPath(bases.back()), [](std::string& d) { d.append(4096, '\0'); });
  auto log = Reopen(false, 0);
  EXPECT_EQ(log->log_end_offset(), Offset(80));
  log.reset();
  Damage(SegPath(bases.back()), [](std::string& d) { d.append("not a record batch at all"); });
  log = Reopen(false, 0);
  EXPECT_EQ(log->log_end_offset(), Offset(80));
  EXPECT_EQ(ReadHeaders(*log).size(), 40u);
}

TEST_F(LogRecoveryTest, CorruptionInAMiddleSegmentDropsEverythingAfterIt) {
  std::vector<int64_t> bases = FillAndDrop();
  ASSERT_GE(bases.size(), 4u);
  Damage(SegPath(bases[1]), [](std::string& d) { d[d.size() / 2] ^= 0x10; });
  auto log = Reopen(false, 0);
  EXPECT_LT(log->log_end_offset().value(), bases[2]);
  EXPECT_GE(log->log_end_offset().value(), bases[1]);
  EXPECT_EQ(log->SegmentBaseOffsets(), (std::vector<int64_t>{bases[0], bases[1]}));
  EXPECT_FALSE(env_.FileExists(SegPath(bases[2])));
  // The epoch cache no longer mentions epochs only the deleted segments had.
  for (const EpochEntry& e : log->EpochEntries()) {
    EXPECT_LT(e.start_offset, log->log_end_offset());
  }
}

TEST_F(LogRecoveryTest, OnlyTheTailAfterTheRecoveryPointIsValidated) {
  std::vector<int64_t> bases = FillAndDrop();
  // A flipped byte in a batch body below the recovery point is not looked at:
  // start-up reads the unflushed tail, not the whole log.
  Damage(SegPath(bases[0]), [](std::string& d) { d[200] ^= 0x10; });
  auto log = Reopen(false, bases.back());
  EXPECT_EQ(log->log_end_offset(), Offset(80));
  EXPECT_EQ(log->SegmentBaseOffsets(), bases);
  // ...while a full recovery from 0 finds it.
  log.reset();
  log = Reopen(false, 0);
  EXPECT_LT(log->log_end_offset().value(), bases[1]);
}

TEST_F(LogRecoveryTest, MissingOrCorruptIndexesAreRebuilt) {
  std::vector<int64_t> bases;
  {
    auto log = OpenLog();
    for (int i = 0; i < 40; ++i) AppendRecords(*log, 2, 100);
    ASSERT_TRUE(log->Close().ok());
    bases = log->SegmentBaseOffsets();
  }
  ASSERT_TRUE(env_.DeleteFile(SegPath(bases[0], ".index")).ok());
  Damage(SegPath(bases[1], ".index"), [](std::string& d) { d.append("xyz"); });
  Damage(SegPath(bases.back(), ".timeindex"), [](std::string& d) {
    if (d.size() >= 12) std::swap(d[0], d[d.size() - 12]);
  });
  LogParams p = Params();
  p.clean_shutdown = true;
  auto log = OpenLog(p);
  for (int64_t off = 0; off < 80; off += 7) {
    auto r = log->Read(Offset(off), ReadOptions{Offset(INT64_MAX), 1, true});
    ASSERT_TRUE(r.ok());
    kafka::BatchHeader h = kafka::ParseBatchHeader(r->region.ReadAll()->data());
    EXPECT_LE(h.base_offset, off);
    EXPECT_GE(h.last_offset(), off);
  }
}

TEST_F(LogRecoveryTest, EpochCacheIsRebuiltWhenItsCheckpointIsLost) {
  std::vector<EpochEntry> epochs;
  {
    auto log = OpenLog();
    for (int i = 0; i < 40; ++i) AppendRecords(*log, 2, 100, i / 10);
    epochs = log->EpochEntries();
    ASSERT_TRUE(log->Close().ok());
  }
  ASSERT_EQ(epochs.size(), 4u);
  ASSERT_TRUE(env_.DeleteFile(dir_.Sub("orders-0/leader-epoch-checkpoint")).ok());
  auto log = Reopen(true, std::nullopt);
  EXPECT_EQ(log->EpochEntries(), epochs);
}

TEST_F(LogRecoveryTest, EpochEntriesBeyondTheRecoveredEndAreDropped) {
  std::vector<int64_t> bases = FillAndDrop();
  // The checkpoint claims an epoch that never made it to disk.
  ASSERT_TRUE(WriteEpochCheckpoint(&env_, dir_.Sub("orders-0/leader-epoch-checkpoint"),
                                   {{LeaderEpoch(0), Offset(0)},
                                    {LeaderEpoch(1), Offset(20)},
                                    {LeaderEpoch(2), Offset(40)},
                                    {LeaderEpoch(3), Offset(60)},
                                    {LeaderEpoch(9), Offset(80)}})
                  .ok());
  auto log = Reopen(false, bases.back());
  EXPECT_EQ(log->LatestEpoch(), LeaderEpoch(3));
}

TEST_F(LogRecoveryTest, EpochsOfRecoveredBatchesAreAssigned) {
  std::vector<int64_t> bases = FillAndDrop();
  // The checkpoint lost the newest epoch (written, then the crash).
  ASSERT_TRUE(
      WriteEpochCheckpoint(
          &env_, dir_.Sub("orders-0/leader-epoch-checkpoint"),
          {{LeaderEpoch(0), Offset(0)}, {LeaderEpoch(1), Offset(20)}, {LeaderEpoch(2), Offset(40)}})
          .ok());
  auto log = Reopen(false, 50);
  EXPECT_EQ(log->LatestEpoch(), LeaderEpoch(3));
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(2)), (EpochEndOffset{LeaderEpoch(2), Offset(60)}));
}

TEST_F(LogRecoveryTest, LeftoversFromInterruptedOperationsAreCleanedUp) {
  std::vector<int64_t> bases = FillAndDrop();
  auto touch = [&](const std::string& name) {
    ASSERT_TRUE(WriteFileAtomically(&env_, dir_.Sub("orders-0/" + name), "x").ok());
  };
  touch(Segment::FileName(bases[0], ".log") + ".deleted");
  touch(Segment::FileName(999999, ".index"));  // an index without its log
  touch(Segment::FileName(bases[0], ".log") + ".cleaned");
  touch("leader-epoch-checkpoint.tmp");
  auto log = Reopen(false, bases.back());
  auto names = env_.ListDir(dir_.Sub("orders-0"));
  ASSERT_TRUE(names.ok());
  for (const std::string& n : *names) {
    EXPECT_EQ(n.find(".deleted"), std::string::npos) << n;
    EXPECT_EQ(n.find(".cleaned"), std::string::npos) << n;
    EXPECT_EQ(n.find(".tmp"), std::string::npos) << n;
    EXPECT_EQ(n.find("999999"), std::string::npos) << n;
  }
  EXPECT_EQ(log->log_end_offset(), Offset(80));
}

TEST_F(LogRecoveryTest, InterruptedCompactionSwapIsCompleted) {
  std::vector<int64_t> bases = FillAndDrop();
  ASSERT_GE(bases.size(), 3u);
  // A cleaned replacement for the first two segments: only their last batch.
  std::string last_batch;
  {
    auto log = Reopen(false, bases.back());
    auto r = log->Read(Offset(bases[2] - 2), ReadOptions{});
    last_batch = *r->region.ReadAll();
    last_batch.resize(*kafka::NextBatchSize(last_batch, 1 << 20));
  }
  ASSERT_TRUE(WriteFileAtomically(&env_, SegPath(bases[0]) + ".cleaned", last_batch).ok());
  ASSERT_TRUE(WriteFileAtomically(&env_,
                                  dir_.Sub("orders-0/" + Segment::FileName(bases[0], ".swap")),
                                  "end " + std::to_string(bases[2]) + "\n")
                  .ok());
  auto log = Reopen(false, bases.back());
  std::vector<int64_t> after = log->SegmentBaseOffsets();
  EXPECT_EQ(after.front(), bases[0]);
  EXPECT_EQ(after[1], bases[2]);
  auto headers = ReadHeaders(*log);
  EXPECT_EQ(headers.front().base_offset, bases[2] - 2);
  EXPECT_EQ(log->log_end_offset(), Offset(80));
}

TEST_F(LogRecoveryTest, SegmentOverlappingThePreviousOneIsDropped) {
  std::vector<int64_t> bases = FillAndDrop();
  ASSERT_GE(bases.size(), 3u);
  // A stale segment whose range overlaps the one before it (a truncated-away
  // segment resurrected by a crash, say), placed after the first segment.
  const int64_t stale_base = bases[1] - 4;
  std::string stale = testing::MakeBatch(stale_base, 2, 100);
  for (size_t i = 1; i < bases.size(); ++i) {
    ASSERT_TRUE(env_.DeleteFile(SegPath(bases[i])).ok());
    (void)env_.DeleteFile(SegPath(bases[i], ".index"));
    (void)env_.DeleteFile(SegPath(bases[i], ".timeindex"));
  }
  ASSERT_TRUE(WriteFileAtomically(&env_, SegPath(stale_base), stale).ok());
  auto log = Reopen(false, 0);
  EXPECT_EQ(log->SegmentBaseOffsets(), std::vector<int64_t>{bases[0]});
  EXPECT_EQ(log->log_end_offset(), Offset(bases[1]));
  EXPECT_FALSE(env_.FileExists(SegPath(stale_base)));
}

TEST_F(LogRecoveryTest, CheckpointedLogStartAndHighWatermarkAreClamped) {
  FillAndDrop();
  LogParams p = Params();
  p.clean_shutdown = true;
  p.log_start_offset = 5;
  p.high_watermark = 1000;
  auto log = OpenLog(p);
  EXPECT_EQ(log->log_start_offset(), Offset(5));
  EXPECT_EQ(log->high_watermark(), Offset(80));
}

}  // namespace
}  // namespace gregor::storage
