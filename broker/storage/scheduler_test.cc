#include "broker/storage/scheduler.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace gregor::storage {
namespace {

using std::chrono::milliseconds;

TEST(SchedulerTest, RunsTasksWhenTheInjectedClockSaysTheyAreDue) {
  FakeClock clock;
  Scheduler s(&clock);
  int a = 0, b = 0;
  s.Add("a", milliseconds(100), [&] { ++a; });
  s.Add("b", milliseconds(250), [&] { ++b; });
  EXPECT_EQ(s.RunDue(), 0);
  clock.Advance(milliseconds(100));
  EXPECT_EQ(s.RunDue(), 1);
  EXPECT_EQ(a, 1);
  clock.Advance(milliseconds(150));
  EXPECT_EQ(s.RunDue(), 2);
  EXPECT_EQ(a, 2);
  EXPECT_EQ(b, 1);
  EXPECT_EQ(s.RunDue(), 0);
}

TEST(SchedulerTest, MostOverdueTaskRunsFirst) {
  FakeClock clock;
  Scheduler s(&clock);
  std::vector<std::string> order;
  s.Add("frequent", milliseconds(10), [&] { order.push_back("frequent"); });
  s.Add("rare", milliseconds(5), [&] { order.push_back("rare"); });
  clock.Advance(milliseconds(10));
  s.RunDue();
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0], "rare");
}

TEST(SchedulerTest, ThreadsRunTasksOnTheRealClock) {
  Scheduler s(Clock::Real(), milliseconds(5));
  std::atomic<int> runs{0};
  s.Add("tick", milliseconds(1), [&] { ++runs; });
  s.Start(2);
  for (int i = 0; i < 2000 && runs.load() < 3; ++i) std::this_thread::sleep_for(milliseconds(1));
  s.Stop();
  EXPECT_GE(runs.load(), 3);
  const int after = runs.load();
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(runs.load(), after);  // stopped means stopped
}

}  // namespace
}  // namespace gregor::storage
