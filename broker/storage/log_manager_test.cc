#include "broker/storage/log_manager.h"

#include <dirent.h>

#include <chrono>
#include <thread>

#include "broker/storage/checkpoint_file.h"
#include "broker/storage/testing/batch_builder.h"
#include "broker/storage/testing/fault_env.h"
#include "broker/storage/testing/temp_dir.h"
#include "gtest/gtest.h"

namespace gregor::storage {
namespace {

using testing::MakeBatch;

int OpenFds() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n - 3;  // ".", "..", and the DIR's own descriptor
}

class LogManagerTest : public ::testing::Test {
 protected:
  LogManagerOptions Options() {
    LogManagerOptions o;
    o.log_dirs = {dir_.Sub("d0"), dir_.Sub("d1")};
    o.default_config.segment_bytes = 4096;
    o.start_background_tasks = false;
    return o;
  }
  std::unique_ptr<LogManager> Open(LogManagerOptions o, Env* env = Env::Default()) {
    auto m = LogManager::Open(env, &clock_, std::move(o));
    EXPECT_TRUE(m.ok()) << m.status();
    return m.ok() ? std::move(*m) : nullptr;
  }
  void Append(Log& log, int batches, int records = 2) {
    for (int i = 0; i < batches; ++i) {
      std::string b = MakeBatch(0, records, 100, clock_.WallMillis());
      ASSERT_TRUE(log.AppendAsLeader({b.data(), b.size()}, LeaderEpoch(1)).ok());
    }
  }

  testing::TempDir dir_;
  FakeClock clock_;
};

TEST_F(LogManagerTest, CreatesLogsSpreadOverTheLogDirs) {
  auto m = Open(Options());
  for (int p = 0; p < 4; ++p) {
    auto log = m->GetOrCreateLog({"orders", p}, Uuid(1, 1), LogConfig());
    ASSERT_TRUE(log.ok()) << log.status();
  }
  EXPECT_EQ(m->log_count(), 4u);
  int in_d0 = 0;
  for (const auto& log : m->AllLogs()) in_d0 += log->dir().find("/d0/") != std::string::npos;
  EXPECT_EQ(in_d0, 2);
  EXPECT_NE(m->GetLog({"orders", 3}), nullptr);
  EXPECT_EQ(m->GetLog({"orders", 9}), nullptr);
  // Same partition, other topic id: an old incarnation.
  EXPECT_TRUE(absl::IsFailedPrecondition(
      m->GetOrCreateLog({"orders", 0}, Uuid(2, 2), LogConfig()).status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(m->GetOrCreateLog({"bad/name", 0}, Uuid(), LogConfig()).status()));
}

TEST_F(LogManagerTest, CleanShutdownWritesCheckpointsAndMarkerAndReopens) {
  {
    auto m = Open(Options());
    auto log =
        *m->GetOrCreateLog({"t", 0}, Uuid(1, 1), m->AllLogs().empty() ? LogConfig() : LogConfig());
    Append(*log, 50);
    log->SetHighWatermark(Offset(60));
    ASSERT_TRUE(log->AdvanceLogStartOffset(Offset(10)).ok());
    ASSERT_TRUE(m->Shutdown().ok());
    const std::string d = log->dir().substr(0, log->dir().rfind('/'));
    EXPECT_TRUE(Env::Default()->FileExists(d + "/.kafka_cleanshutdown"));
    auto rp = ReadOffsetCheckpoint(Env::Default(), d + "/recovery-point-offset-checkpoint");
    ASSERT_TRUE(rp.ok());
    EXPECT_EQ(rp->at({"t", 0}), 100);
    auto hw = ReadOffsetCheckpoint(Env::Default(), d + "/replication-offset-checkpoint");
    EXPECT_EQ(hw->at({"t", 0}), 60);
  }
  auto m = Open(Options());
  auto log = m->GetLog({"t", 0});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_end_offset(), Offset(100));
  EXPECT_EQ(log->high_watermark(), Offset(60));
  EXPECT_EQ(log->log_start_offset(), Offset(10));
  EXPECT_EQ(log->topic_id(), Uuid(1, 1));
  EXPECT_FALSE(Env::Default()->FileExists(dir_.Sub("d0/.kafka_cleanshutdown")));
  EXPECT_FALSE(Env::Default()->FileExists(dir_.Sub("d1/.kafka_cleanshutdown")));
}

TEST_F(LogManagerTest, UncleanStopRecoversFromTheRecoveryPoints) {
  {
    auto m = Open(Options());
    auto log = *m->GetOrCreateLog({"t", 0}, Uuid(), LogConfig());
    Append(*log, 30);
    ASSERT_TRUE(log->Flush().ok());
    ASSERT_TRUE(m->CheckpointRecoveryPoints().ok());
    Append(*log, 10);
    ASSERT_TRUE(log->Flush().ok());
    // The crash: the manager is abandoned without Shutdown.
    (void)m.release();
  }
  auto m = Open(Options());
  auto log = m->GetLog({"t", 0});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_end_offset(), Offset(80));
}

TEST_F(LogManagerTest, TruncationBelowTheRecoveryPointRewritesTheCheckpointAtOnce) {
  auto m = Open(Options());
  auto log = *m->GetOrCreateLog({"t", 0}, Uuid(), LogConfig());
  Append(*log, 30);
  ASSERT_TRUE(log->Flush().ok());
  ASSERT_TRUE(m->CheckpointRecoveryPoints().ok());
  const std::string cp =
      log->dir().substr(0, log->dir().rfind('/')) + "/recovery-point-offset-checkpoint";
  EXPECT_EQ(ReadOffsetCheckpoint(Env::Default(), cp)->at({"t", 0}), 60);
  ASSERT_TRUE(log->TruncateTo(Offset(20)).ok());
  EXPECT_EQ(ReadOffsetCheckpoint(Env::Default(), cp)->at({"t", 0}), 20);
}

TEST_F(LogManagerTest, DeleteLogRemovesTheDirectory) {
  auto m = Open(Options());
  auto log = *m->GetOrCreateLog({"gone", 0}, Uuid(), LogConfig());
  Append(*log, 3);
  const std::string d = log->dir();
  ASSERT_TRUE(m->DeleteLog({"gone", 0}).ok());
  EXPECT_FALSE(Env::Default()->FileExists(d));
  EXPECT_EQ(m->GetLog({"gone", 0}), nullptr);
  std::string b = MakeBatch(0, 1);
  EXPECT_FALSE(log->AppendAsLeader({b.data(), b.size()}, LeaderEpoch(0)).ok());
  // A deletion interrupted by a crash is finished at the next start.
  ASSERT_TRUE(Env::Default()->CreateDir(dir_.Sub("d0/old-3.abc-delete")).ok());
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), dir_.Sub("d0/old-3.abc-delete/x.log"), "x").ok());
  ASSERT_TRUE(m->Shutdown().ok());
  m = Open(Options());
  EXPECT_FALSE(Env::Default()->FileExists(dir_.Sub("d0/old-3.abc-delete")));
  EXPECT_EQ(m->log_count(), 0u);
}

TEST_F(LogManagerTest, LogsOutliveTheManagerClosed) {
  std::shared_ptr<Log> log;
  {
    auto m = Open(Options());
    log = *m->GetOrCreateLog({"t", 0}, Uuid(), LogConfig());
    Append(*log, 20);
  }
  // Reads still work; writes and waits are refused.
  auto r = log->Read(Offset(0), ReadOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->region.empty());
  std::string b = MakeBatch(0, 1);
  EXPECT_FALSE(log->AppendAsLeader({b.data(), b.size()}, LeaderEpoch(1)).ok());
  absl::Status waited;
  log->WhenDurable(Offset(1000), [&](absl::Status s) { waited = s; });
  EXPECT_FALSE(waited.ok());
  log.reset();
}

TEST_F(LogManagerTest, RetentionRunsOnTheInjectedClock) {
  LogManagerOptions o = Options();
  o.default_config.retention_ms = 3'600'000;
  auto m = Open(o);
  auto log = *m->GetOrCreateLog({"t", 0}, Uuid(), o.default_config);
  Append(*log, 60);
  log->SetHighWatermark(log->log_end_offset());
  ASSERT_TRUE(log->Flush().ok());
  EXPECT_EQ(m->ApplyRetention(), 0);
  clock_.Advance(std::chrono::hours(2));
  EXPECT_GT(m->ApplyRetention(), 0);
  EXPECT_EQ(log->log_start_offset(), log->log_end_offset());
}

TEST_F(LogManagerTest, BackgroundTasksWriteCheckpoints) {
  LogManagerOptions o = Options();
  o.start_background_tasks = true;
  o.storage.recovery_point_checkpoint_interval_ms = 10;
  o.storage.high_watermark_checkpoint_interval_ms = 10;
  auto m = LogManager::Open(Env::Default(), Clock::Real(), o);
  ASSERT_TRUE(m.ok());
  auto log = *(*m)->GetOrCreateLog({"t", 0}, Uuid(), LogConfig());
  Append(*log, 5);
  ASSERT_TRUE(log->Flush().ok());
  log->SetHighWatermark(Offset(10));
  const std::string d = log->dir().substr(0, log->dir().rfind('/'));
  bool seen = false;
  for (int i = 0; i < 1000 && !seen; ++i) {
    auto hw = ReadOffsetCheckpoint(Env::Default(), d + "/replication-offset-checkpoint");
    auto rp = ReadOffsetCheckpoint(Env::Default(), d + "/recovery-point-offset-checkpoint");
    seen = hw.ok() && rp.ok() && hw->count({"t", 0}) && rp->count({"t", 0}) &&
           hw->at({"t", 0}) == 10 && rp->at({"t", 0}) == 10;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(seen);
  EXPECT_TRUE((*m)->Shutdown().ok());
}

// A thousand partitions open quickly (only the active segment of each is
// touched) and hold a bounded number of descriptors.
TEST_F(LogManagerTest, ThousandPartitionsReopenWithBoundedDescriptors) {
  LogManagerOptions o = Options();
  o.log_dirs = {dir_.Sub("big")};
  o.storage.max_open_segments = 16;
  o.default_config.segment_bytes = 1024;
  FaultInjectionEnv no_sync(Env::Default());  // this test is about opening, not durability
  no_sync.SetSkipSyncs(true);
  {
    auto m = Open(o, &no_sync);
    for (int p = 0; p < 1000; ++p) {
      auto log = m->GetOrCreateLog({"many", p}, Uuid(), o.default_config);
      ASSERT_TRUE(log.ok());
      if (p % 100 == 0) Append(**log, 12);  // a few with several segments
    }
    ASSERT_TRUE(m->Shutdown().ok());
  }
  const int fds_before = OpenFds();
  auto start = std::chrono::steady_clock::now();
  auto m = Open(o, &no_sync);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(m->log_count(), 1000u);
  std::cout << "reopened 1000 partitions in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
  // Read from the start of the multi-segment logs: inactive segments come and go.
  for (int p = 0; p < 1000; p += 100) {
    auto r = m->GetLog({"many", p})->Read(Offset(0), ReadOptions{});
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->region.empty());
  }
  const int used = OpenFds() - fds_before;
  EXPECT_LE(used, 1000 + 16 + 8);  // one per active segment + the cache + slack
  EXPECT_LE(m->segment_cache()->size(), 16u);
}

}  // namespace
}  // namespace gregor::storage
