#include "common/ui/event_timeline.h"

#include "gtest/gtest.h"

namespace gregor::ui {
namespace {

std::vector<BrokerId> B(std::initializer_list<int32_t> ids) {
  std::vector<BrokerId> out;
  for (int32_t id : ids) out.push_back(BrokerId(id));
  return out;
}

// One topic "orders" with one partition, three brokers, three controllers.
ClusterView View(int64_t ms, std::optional<int32_t> leader, std::vector<BrokerId> isr,
                 int32_t controller_leader = 1, std::vector<int32_t> fenced = {}) {
  ClusterView v;
  v.generated_ms = ms;
  v.controller_leader = NodeId(controller_leader);
  for (int i = 1; i <= 3; ++i) {
    v.controllers.push_back({.id = NodeId(i), .term = Term(i == controller_leader ? 9 : 8)});
    const bool f = std::find(fenced.begin(), fenced.end(), i) != fenced.end();
    v.brokers.push_back({.id = BrokerId(i), .alive = !f, .fenced = f});
  }
  PartitionView p;
  p.partition = PartitionId(0);
  if (leader) p.leader = BrokerId(*leader);
  p.leader_epoch = LeaderEpoch(3);
  p.replicas = B({1, 2, 3});
  p.isr = std::move(isr);
  v.topics.push_back({.name = "orders", .partitions = {p}});
  return v;
}

TEST(DiffViewsTest, SameViewGivesNoEvents) {
  EXPECT_TRUE(DiffViews(View(1, 1, B({1, 2, 3})), View(2, 1, B({1, 2, 3}))).empty());
}

TEST(DiffViewsTest, LeaderFailoverGivesElectionThenShrink) {
  auto events = DiffViews(View(1, 1, B({1, 2, 3})), View(2000, 2, B({2, 3})));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, EventView::Kind::kLeaderElection);
  EXPECT_EQ(events[0].time_ms, 2000);
  EXPECT_EQ(events[0].topic, "orders");
  EXPECT_EQ(events[0].partition, PartitionId(0));
  EXPECT_EQ(events[0].previous_leader, 1);
  EXPECT_EQ(events[0].leader, 2);
  EXPECT_EQ(events[0].detail, "orders-0: leader 1 -> 2 (leader epoch 3)");
  EXPECT_EQ(events[1].kind, EventView::Kind::kIsrShrink);
  EXPECT_EQ(events[1].previous_isr, B({1, 2, 3}));
  EXPECT_EQ(events[1].isr, B({2, 3}));
  EXPECT_EQ(events[1].detail, "orders-0: ISR shrank 1,2,3 -> 2,3 (out: 1)");
}

TEST(DiffViewsTest, RejoiningReplicaGivesExpand) {
  auto events = DiffViews(View(1, 2, B({2, 3})), View(2, 2, B({2, 3, 1})));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventView::Kind::kIsrExpand);
  EXPECT_EQ(events[0].detail, "orders-0: ISR expanded 2,3 -> 2,3,1 (in: 1)");
}

TEST(DiffViewsTest, ReplacedIsrMemberGivesShrinkAndExpand) {
  auto events = DiffViews(View(1, 2, B({2, 3})), View(2, 2, B({2, 1})));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, EventView::Kind::kIsrShrink);
  EXPECT_EQ(events[1].kind, EventView::Kind::kIsrExpand);
}

TEST(DiffViewsTest, LosingTheLastLeaderIsReportedAsOffline) {
  auto events = DiffViews(View(1, 3, B({3})), View(2, std::nullopt, B({3})));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].leader, -1);
  EXPECT_EQ(events[0].detail, "orders-0: leader 3 lost, partition offline");
}

TEST(DiffViewsTest, ControllerLeaderChangeCarriesTheNewTerm) {
  auto events = DiffViews(View(1, 1, B({1, 2, 3}), 1), View(2, 1, B({1, 2, 3}), 3));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventView::Kind::kControllerLeader);
  EXPECT_EQ(events[0].previous_leader, 1);
  EXPECT_EQ(events[0].leader, 3);
  EXPECT_EQ(events[0].term, Term(9));
  EXPECT_EQ(events[0].detail, "controller 3 became the Raft leader (term 9)");
}

TEST(DiffViewsTest, NoControllerLeaderIsNotAnEvent) {
  ClusterView after = View(2, 1, B({1, 2, 3}));
  after.controller_leader.reset();
  EXPECT_TRUE(DiffViews(View(1, 1, B({1, 2, 3})), after).empty());
}

TEST(DiffViewsTest, BrokerFencingAndUnfencingInIdOrder) {
  auto fenced = DiffViews(View(1, 1, B({1, 2, 3})), View(2, 1, B({1, 2, 3}), 1, {3, 1}));
  ASSERT_EQ(fenced.size(), 2u);
  EXPECT_EQ(fenced[0].kind, EventView::Kind::kBrokerFenced);
  EXPECT_EQ(fenced[0].node, 1);
  EXPECT_EQ(fenced[1].node, 3);
  auto unfenced = DiffViews(View(2, 1, B({1, 2, 3}), 1, {3}), View(3, 1, B({1, 2, 3})));
  ASSERT_EQ(unfenced.size(), 1u);
  EXPECT_EQ(unfenced[0].kind, EventView::Kind::kBrokerUnfenced);
  EXPECT_EQ(unfenced[0].detail, "broker 3 unfenced");
}

TEST(DiffViewsTest, NewAndDeletedPartitionsAreNotEvents) {
  ClusterView before = View(1, 1, B({1, 2, 3}));
  ClusterView after = View(2, 2, B({2}));
  after.topics[0].name = "other";
  EXPECT_TRUE(DiffViews(before, after).empty());
}

TEST(EventTimelineTest, FirstObservationIsTheBaseline) {
  EventTimeline timeline;
  timeline.Observe(View(1, 1, B({1})));
  ClusterView out;
  timeline.Fill(&out);
  EXPECT_TRUE(out.events.empty());
}

TEST(EventTimelineTest, RecordsAFailoverAndTheRecoveryInOrder) {
  EventTimeline timeline;
  timeline.Observe(View(1, 1, B({1, 2, 3})));
  timeline.Observe(View(2, 2, B({2, 3})));
  timeline.Observe(View(3, 2, B({2, 3})));  // unchanged: nothing new
  timeline.Observe(View(4, 2, B({2, 3, 1})));
  ClusterView out;
  timeline.Fill(&out);
  ASSERT_EQ(out.events.size(), 3u);
  EXPECT_EQ(out.events[0].kind, EventView::Kind::kLeaderElection);
  EXPECT_EQ(out.events[1].kind, EventView::Kind::kIsrShrink);
  EXPECT_EQ(out.events[2].kind, EventView::Kind::kIsrExpand);
  EXPECT_EQ(out.events[2].time_ms, 4);
}

TEST(EventTimelineTest, KeepsOnlyTheNewestEvents) {
  EventTimeline timeline(2);
  for (int i = 0; i < 5; ++i) timeline.Add({.time_ms = i});
  ClusterView out;
  timeline.Fill(&out);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].time_ms, 3);
  EXPECT_EQ(out.events[1].time_ms, 4);
}

TEST(EventTimelineTest, AViewThatDoesNotKnowTheControllerLeaderIsNoChange) {
  // A broker's view lacks the controller leader when DescribeQuorum times out;
  // the next view that knows it again is not a new election.
  EventTimeline t;
  t.Observe(View(1, 1, B({1, 2, 3}), /*controller_leader=*/2));
  ClusterView unknown = View(2, 1, B({1, 2, 3}), 2);
  unknown.controller_leader.reset();
  t.Observe(unknown);
  t.Observe(View(3, 1, B({1, 2, 3}), 2));
  ClusterView out;
  t.Fill(&out);
  EXPECT_TRUE(out.events.empty());
  t.Observe(View(4, 1, B({1, 2, 3}), 3));  // a real change is still one
  t.Fill(&out);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].previous_leader, 2);
  EXPECT_EQ(out.events[0].leader, 3);
}

}  // namespace
}  // namespace gregor::ui
