#include "common/thread_pool.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace gregor {
namespace {

TEST(ThreadPoolTest, RunsEverythingSubmittedBeforeDestruction) {
  std::atomic<int> n{0};
  {
    ThreadPool pool(3, 1000);
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(pool.Submit([&] { n++; }));
  }
  EXPECT_EQ(n.load(), 500);
}

TEST(ThreadPoolTest, RefusesWorkBeyondTheQueueLimit) {
  absl::Notification release;
  ThreadPool pool(1, 2);
  ASSERT_TRUE(pool.Submit([&] { release.WaitForNotification(); }));
  // The worker may or may not have taken the first item yet.
  int accepted = 0;
  for (int i = 0; i < 5; ++i) accepted += pool.Submit([] {}) ? 1 : 0;
  EXPECT_LE(accepted, 2);
  EXPECT_GE(accepted, 1);
  release.Notify();
}

}  // namespace
}  // namespace gregor
