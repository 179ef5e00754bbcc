#include "controller/partition_change.h"

#include <set>

#include "common/metadata/delta.h"
#include "common/metadata/testing/records.h"
#include "gtest/gtest.h"

namespace gregor::controller {
namespace {

using metadata::PartitionRegistration;
using metadata::testing::Ids;

PartitionRegistration P(std::vector<BrokerId> replicas, std::vector<BrokerId> isr, int leader) {
  PartitionRegistration p;
  p.replicas = std::move(replicas);
  p.isr = std::move(isr);
  p.leader = BrokerId(leader);
  p.leader_epoch = LeaderEpoch(3);
  p.partition_epoch = PartitionEpoch(5);
  return p;
}

PartitionChangeBuilder::Acceptor AllBut(std::set<int> down) {
  return [down](BrokerId b) { return down.count(b.value()) == 0; };
}

const gregor::Uuid kTopic(1, 2);

TEST(PartitionChangeTest, NoChangeNoRecord) {
  auto p = P(Ids({1, 2, 3}), Ids({1, 2, 3}), 1);
  EXPECT_FALSE(PartitionChangeBuilder(p, kTopic, PartitionId(0), AllBut({})).Build().has_value());
  EXPECT_FALSE(PartitionChangeBuilder(p, kTopic, PartitionId(0), AllBut({}))
                   .SetTargetIsr(Ids({1, 2, 3}))
                   .Build()
                   .has_value());
}

TEST(PartitionChangeTest, IsrShrinkKeepsLeaderAndLeaderEpoch) {
  auto p = P(Ids({1, 2, 3}), Ids({1, 2, 3}), 1);
  auto r = PartitionChangeBuilder(p, kTopic, PartitionId(0), AllBut({})).SetTargetIsr(Ids({1, 3})).Build();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->record.partition_change().has_leader());
  EXPECT_EQ(r->next.isr, Ids({1, 3}));
  EXPECT_EQ(r->next.leader_epoch, LeaderEpoch(3));
  EXPECT_EQ(r->next.partition_epoch, PartitionEpoch(6));
}

TEST(PartitionChangeTest, DeadLeaderIsReplacedByFirstLiveIsrMemberInReplicaOrder) {
  auto p = P(Ids({1, 2, 3}), Ids({3, 2, 1}), 1);  // ISR order differs from replica order
  auto r = PartitionChangeBuilder(p, kTopic, PartitionId(0), AllBut({1}))
               .SetTargetIsr(IsrWithout(p.isr, BrokerId(1)))
               .Build();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->next.leader, BrokerId(2));
  EXPECT_EQ(r->next.isr, Ids({3, 2}));
  EXPECT_EQ(r->next.leader_epoch, LeaderEpoch(4));
}

TEST(PartitionChangeTest, LastIsrMemberStaysAndPartitionGoesLeaderless) {
  auto p = P(Ids({1, 2}), Ids({1}), 1);
  auto r = PartitionChangeBuilder(p, kTopic, PartitionId(0), AllBut({1}))
               .SetTargetIsr(IsrWithout(p.isr, BrokerId(1)))
               .Build();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->next.leader, metadata::kNoLeader);
  EXPECT_EQ(r->next.isr, Ids({1}));
}

TEST(PartitionChangeTest, UncleanElectionPicksAnyLiveReplicaWithIsrOfItself) {
  auto p = P(Ids({1, 2, 3}), Ids({1}), 1);
  auto r = PartitionChangeBuilder(p, kTopic, PartitionId(0), AllBut({1, 2}))
               .SetTargetIsr(IsrWithout(p.isr, BrokerId(1)))
               .SetUncleanAllowed(true)
               .Build();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->next.leader, BrokerId(3));
  EXPECT_EQ(r->next.isr, Ids({3}));
}

TEST(PartitionChangeTest, PreferredElectionMovesLeadershipBack) {
  auto p = P(Ids({1, 2, 3}), Ids({1, 2, 3}), 2);
  auto r = PartitionChangeBuilder(p, kTopic, PartitionId(0), AllBut({})).SetElection(Election::kPreferred).Build();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->next.leader, BrokerId(1));
  // Not when the preferred replica is down.
  auto none = PartitionChangeBuilder(p, kTopic, PartitionId(0), AllBut({1}))
                  .SetElection(Election::kPreferred)
                  .Build();
  EXPECT_FALSE(none.has_value());
}

TEST(PartitionChangeTest, ReassignmentCompletesWhenTargetIsInSync) {
  auto p = P(Ids({1, 2, 3, 4}), Ids({1, 2, 3}), 4);
  p.adding_replicas = Ids({});
  p.isr = Ids({4, 1, 2});
  p.removing_replicas = Ids({4});
  p.adding_replicas = Ids({3});
  // 3 not yet in sync: nothing completes.
  auto pending = PartitionChangeBuilder(p, kTopic, PartitionId(0), AllBut({})).Build();
  EXPECT_FALSE(pending.has_value());
  auto r = PartitionChangeBuilder(p, kTopic, PartitionId(0), AllBut({}))
               .SetTargetIsr(Ids({4, 1, 2, 3}))
               .Build();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->next.replicas, Ids({1, 2, 3}));
  EXPECT_EQ(r->next.isr, Ids({1, 2, 3}));
  EXPECT_TRUE(r->next.adding_replicas.empty());
  EXPECT_TRUE(r->next.removing_replicas.empty());
  EXPECT_EQ(r->next.leader, BrokerId(1));
  EXPECT_EQ(r->next.leader_epoch, LeaderEpoch(4));
}

TEST(PartitionChangeTest, RecordReplaysToTheSameRegistration) {
  auto p = P(Ids({1, 2, 3}), Ids({1, 2, 3}), 1);
  auto r = PartitionChangeBuilder(p, kTopic, PartitionId(0), AllBut({1}))
               .SetTargetIsr(IsrWithout(p.isr, BrokerId(1)))
               .Build();
  ASSERT_TRUE(r);
  auto merged = p.Merge(r->record.partition_change());
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(*merged, r->next);
}

}  // namespace
}  // namespace gregor::controller
