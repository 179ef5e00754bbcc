#include <random>
#include <thread>

#include "absl/synchronization/notification.h"
#include "broker/storage/log.h"
#include "broker/storage/storage_error.h"
#include "broker/storage/testing/log_fixture.h"

namespace gregor::storage {
namespace {

using testing::MakeBatch;

class LogDurabilityTest : public testing::LogFixture {
 protected:
  // Waits (bounded) for a condition driven by the background flusher.
  template <typename F>
  bool Eventually(F f) {
    for (int i = 0; i < 2000; ++i) {
      if (f()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return f();
  }
};

TEST_F(LogDurabilityTest, OneSyncCoversEveryBatchAppendedSinceTheLast) {
  auto log = OpenLog();  // no flusher: the wait syncs in the caller
  for (int i = 0; i < 50; ++i) AppendRecords(*log, 2);
  EXPECT_EQ(log->durable_offset(), Offset(0));
  const int64_t syncs = env_.sync_count();
  absl::Status got = absl::UnknownError("not called");
  log->WhenDurable(log->log_end_offset(), [&](absl::Status s) { got = s; });
  EXPECT_TRUE(got.ok()) << got;
  EXPECT_EQ(env_.sync_count() - syncs, 1);
  EXPECT_EQ(log->durable_offset(), Offset(100));
  // Already durable: completes at once without a sync.
  log->WhenDurable(Offset(40), [&](absl::Status s) { got = s; });
  EXPECT_EQ(env_.sync_count() - syncs, 1);
}

TEST_F(LogDurabilityTest, SharedFlusherCompletesEveryWaiter) {
  flusher_ = std::make_unique<Flusher>(2);
  auto log = OpenLog();
  std::atomic<int> ok{0}, failed{0};
  for (int i = 0; i < 300; ++i) {
    AppendResult r = AppendRecords(*log, 1);
    log->WhenDurable(r.last_offset + 1, [&](absl::Status s) { (s.ok() ? ok : failed)++; });
  }
  EXPECT_TRUE(Eventually([&] { return ok.load() + failed.load() == 300; }));
  EXPECT_EQ(ok.load(), 300);
  EXPECT_EQ(log->durable_offset(), Offset(300));
  EXPECT_LE(env_.sync_count(), 300 + 5);  // group commit never needs more syncs than waits
}

TEST_F(LogDurabilityTest, CallbacksMayCallBackIntoTheLog) {
  flusher_ = std::make_unique<Flusher>(1);
  auto log = OpenLog();
  AppendRecords(*log, 4);
  AppendRecords(*log, 4);
  absl::Notification done;
  absl::Status truncated;
  log->WhenDurable(Offset(8), [&](absl::Status s) {
    EXPECT_TRUE(s.ok());
    truncated = log->TruncateTo(Offset(4));  // takes the log's locks
    EXPECT_TRUE(log->Flush().ok());
    done.Notify();
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(60)));
  EXPECT_TRUE(truncated.ok()) << truncated;
  EXPECT_EQ(log->log_end_offset(), Offset(4));
}

TEST_F(LogDurabilityTest, WithoutSyncBeforeAckWaitsCompleteAtOnce) {
  options_.sync_before_ack = false;
  auto log = OpenLog();
  AppendRecords(*log, 3);
  const int64_t syncs = env_.sync_count();
  bool called = false;
  log->WhenDurable(Offset(3), [&](absl::Status s) { called = s.ok(); });
  EXPECT_TRUE(called);
  EXPECT_EQ(env_.sync_count(), syncs);
}

TEST_F(LogDurabilityTest, SyncFailureTakesTheLogOffline) {
  auto log = OpenLog();
  AppendRecords(*log, 3);
  env_.FailSyncs(-1, absl::InternalError("EIO (injected)"));
  absl::Status got;
  log->WhenDurable(Offset(3), [&](absl::Status s) { got = s; });
  EXPECT_EQ(GetStorageError(got), StorageError::kLogFailed);
  env_.FailSyncs(0, absl::OkStatus());
  // No pretending after fsyncgate: the log stays failed.
  std::string b = MakeBatch(0, 1);
  EXPECT_EQ(GetStorageError(log->AppendAsLeader({b.data(), b.size()}, LeaderEpoch(0)).status()),
            StorageError::kLogFailed);
  log->WhenDurable(Offset(1), [&](absl::Status s) { got = s; });
  EXPECT_EQ(GetStorageError(got), StorageError::kLogFailed);
  EXPECT_EQ(log->durable_offset(), Offset(0));
}

TEST_F(LogDurabilityTest, PendingWaitersFailWhenTheFlusherSyncFails) {
  flusher_ = std::make_unique<Flusher>(1);
  auto log = OpenLog();
  AppendRecords(*log, 3);
  env_.FailSyncs(-1, absl::InternalError("EIO (injected)"));
  absl::Notification done;
  absl::Status got;
  log->WhenDurable(Offset(3), [&](absl::Status s) {
    got = s;
    done.Notify();
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(GetStorageError(got), StorageError::kLogFailed);
}

TEST_F(LogDurabilityTest, FlushMessagesTriggersABackgroundSync) {
  flusher_ = std::make_unique<Flusher>(1);
  config_.flush_messages = 10;
  auto log = OpenLog();
  for (int i = 0; i < 4; ++i) AppendRecords(*log, 2);
  EXPECT_EQ(log->durable_offset(), Offset(0));
  AppendRecords(*log, 2);
  EXPECT_TRUE(Eventually([&] { return log->durable_offset() == Offset(10); }));
}

TEST_F(LogDurabilityTest, FlushMsUsesTheInjectedClock) {
  flusher_ = std::make_unique<Flusher>(1);
  config_.flush_ms = 1000;
  auto log = OpenLog();
  AppendRecords(*log, 2);
  log->MaybeFlushForTime();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(log->durable_offset(), Offset(0));
  clock_.Advance(std::chrono::milliseconds(1001));
  log->MaybeFlushForTime();
  EXPECT_TRUE(Eventually([&] { return log->durable_offset() == Offset(2); }));
}

// Power loss: every batch reported durable survives, whole and CRC-valid,
// whatever happened to the bytes that were not synced.
TEST_F(LogDurabilityTest, AcknowledgedBatchesSurvivePowerLoss) {
  for (TornTail torn : {TornTail::kNone, TornTail::kPrefix, TornTail::kZeros, TornTail::kGarbage}) {
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      testing::TempDir dir;
      FaultInjectionEnv env(Env::Default());
      auto ctx = SegmentContext::Make(&env, std::make_shared<SegmentCache>(16));
      std::mt19937_64 rng(seed);
      LogParams p = Params();
      p.env = &env;
      p.segment_context = ctx;
      p.dir = dir.Sub("t-0");
      p.config.segment_bytes = 4096;
      int64_t acked = 0;
      int64_t recovery_point = 0;
      {
        auto flusher = std::make_unique<Flusher>(1);
        p.flusher = flusher.get();
        auto log = Log::Open(p);
        ASSERT_TRUE(log.ok()) << log.status();
        for (int i = 0; i < 60; ++i) {
          std::string b = MakeBatch(0, 1 + int(rng() % 4), 50 + rng() % 200);
          auto r = (*log)->AppendAsLeader({b.data(), b.size()}, LeaderEpoch(1));
          ASSERT_TRUE(r.ok());
          if (rng() % 5 == 0) {
            absl::Notification n;
            (*log)->WhenDurable(r->last_offset + 1,
                                [&, end = r->last_offset.value() + 1](absl::Status s) {
                                  if (s.ok()) acked = std::max(acked, end);
                                  n.Notify();
                                });
            n.WaitForNotification();
          }
          if (rng() % 17 == 0) recovery_point = (*log)->CheckpointRecoveryPoint()->value();
        }
        flusher.reset();  // the crash: threads stop, nothing more is synced
      }
      ASSERT_TRUE(env.SimulatePowerLoss(torn, seed).ok());
      p.flusher = nullptr;
      p.recovery_point = recovery_point;
      auto log = Log::Open(p);
      ASSERT_TRUE(log.ok()) << log.status();
      EXPECT_GE((*log)->log_end_offset().value(), acked) << int(torn) << " seed " << seed;
      int64_t next = 0;
      for (const auto& h : ReadHeaders(**log)) {
        EXPECT_EQ(h.base_offset, next);
        next = h.next_offset();
      }
      EXPECT_EQ(next, (*log)->log_end_offset().value());
    }
  }
}

}  // namespace
}  // namespace gregor::storage
