#include "broker/purgatory/purgatory.h"

#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

// Completes once `level` reaches `target`.
class WaitForLevel : public DelayedOperation {
 public:
  WaitForLevel(std::atomic<int>* level, int target) : level_(level), target_(target) {}
  bool TryComplete() override {
    if (level_->load() >= target_) return ForceComplete();
    return false;
  }
  absl::Notification done;
  std::atomic<int> completions{0};
  bool expired = false;

 protected:
  void OnExpiration() override { expired = true; }
  void OnComplete() override {
    completions++;
    done.Notify();
  }

 private:
  std::atomic<int>* level_;
  int target_;
};

class PurgatoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    guard_.emplace(loop_.get_executor());
    thread_ = std::thread([this] { loop_.run(); });
  }
  void TearDown() override {
    guard_.reset();
    loop_.stop();
    thread_.join();
  }
  asio::io_context loop_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::thread thread_;
  Purgatory purgatory_{"test"};
  std::atomic<int> level_{0};
  const WatchKey key_{1, 2, 3};
};

TEST_F(PurgatoryTest, CompletesAtOnceWhenPossible) {
  level_ = 5;
  auto op = std::make_shared<WaitForLevel>(&level_, 5);
  EXPECT_TRUE(purgatory_.TryCompleteElseWatch(op, {key_}, std::chrono::seconds(10), loop_));
  EXPECT_EQ(op->completions, 1);
  EXPECT_EQ(purgatory_.watched(), 0);
}

TEST_F(PurgatoryTest, CompletesOnTheEventThatSatisfiesIt) {
  auto op = std::make_shared<WaitForLevel>(&level_, 2);
  EXPECT_FALSE(purgatory_.TryCompleteElseWatch(op, {key_}, std::chrono::seconds(10), loop_));
  EXPECT_EQ(purgatory_.watched(), 1);
  level_ = 1;
  EXPECT_EQ(purgatory_.CheckAndComplete(key_), 0);
  level_ = 2;
  EXPECT_EQ(purgatory_.CheckAndComplete(WatchKey{9, 9, 9}), 0);
  EXPECT_EQ(purgatory_.CheckAndComplete(key_), 1);
  EXPECT_TRUE(op->done.HasBeenNotified());
  EXPECT_FALSE(op->expired);
  EXPECT_EQ(purgatory_.watched(), 0);
}

TEST_F(PurgatoryTest, ExpiresAfterTheTimeout) {
  auto op = std::make_shared<WaitForLevel>(&level_, 100);
  EXPECT_FALSE(purgatory_.TryCompleteElseWatch(op, {key_}, std::chrono::milliseconds(20), loop_));
  ASSERT_TRUE(op->done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(op->expired);
  level_ = 100;
  EXPECT_EQ(purgatory_.CheckAndComplete(key_), 0);  // already done: never twice
  EXPECT_EQ(op->completions, 1);
}

TEST_F(PurgatoryTest, ConcurrentEventsCompleteEachOperationOnce) {
  std::vector<std::shared_ptr<WaitForLevel>> ops;
  for (int i = 0; i < 200; ++i) {
    ops.push_back(std::make_shared<WaitForLevel>(&level_, 1 + i % 10));
    purgatory_.TryCompleteElseWatch(ops.back(), {key_, WatchKey{0, 0, i}},
                                    std::chrono::seconds(30), loop_);
  }
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        level_.fetch_add(1);
        purgatory_.CheckAndComplete(key_);
      }
    });
  }
  for (auto& t : ts) t.join();
  purgatory_.CheckAndComplete(key_);
  for (auto& op : ops) EXPECT_EQ(op->completions, 1);
  EXPECT_EQ(purgatory_.watched(), 0);
}

}  // namespace
}  // namespace gregor::broker
