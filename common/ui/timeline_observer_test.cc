#include "common/ui/timeline_observer.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace gregor::ui {
namespace {

TEST(TimelineObserverTest, RecordsALeaderChangeWithoutAnyRequest) {
  std::atomic<int32_t> leader{1};
  std::atomic<int> builds{0};
  EventTimeline timeline;
  TimelineObserver observer(
      &timeline,
      [&] {
        ClusterView v;
        PartitionView p;
        p.leader = BrokerId(leader.load());
        p.replicas = {BrokerId(1), BrokerId(2)};
        p.isr = p.replicas;
        v.topics.push_back({.name = "t", .partitions = {p}});
        builds.fetch_add(1);
        return v;
      },
      std::chrono::milliseconds(5));
  observer.Start();
  while (builds.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  leader = 2;
  const int seen = builds.load();
  while (builds.load() < seen + 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  observer.Stop();
  observer.Stop();  // idempotent
  ClusterView out;
  timeline.Fill(&out);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, EventView::Kind::kLeaderElection);
  EXPECT_EQ(out.events[0].previous_leader, 1);
  EXPECT_EQ(out.events[0].leader, 2);
}

}  // namespace
}  // namespace gregor::ui
