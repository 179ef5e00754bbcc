#include "common/metadata/partition_registration.h"

#include "gtest/gtest.h"

namespace gregor::metadata {
namespace {

std::vector<BrokerId> B(std::initializer_list<int> ids) {
  std::vector<BrokerId> out;
  for (int i : ids) out.push_back(BrokerId(i));
  return out;
}

PartitionRegistration Healthy() {
  PartitionRegistration p;
  p.replicas = B({1, 2, 3});
  p.isr = B({1, 2, 3});
  p.leader = BrokerId(1);
  p.leader_epoch = LeaderEpoch(4);
  p.partition_epoch = PartitionEpoch(7);
  return p;
}

IntList* Ints(IntList* list, std::initializer_list<int> ids) {
  for (int i : ids) list->add_values(i);
  return list;
}

TEST(PartitionRegistrationTest, ChangeWithoutLeaderBumpsOnlyPartitionEpoch) {
  PartitionChangeRecord c;
  Ints(c.mutable_isr(), {1, 2});
  auto next = Healthy().Merge(c);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->isr, B({1, 2}));
  EXPECT_EQ(next->leader, BrokerId(1));
  EXPECT_EQ(next->leader_epoch, LeaderEpoch(4));
  EXPECT_EQ(next->partition_epoch, PartitionEpoch(8));
}

TEST(PartitionRegistrationTest, LeaderFieldBumpsLeaderEpochEvenForSameLeader) {
  PartitionChangeRecord c;
  c.set_leader(1);
  auto next = Healthy().Merge(c);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->leader_epoch, LeaderEpoch(5));
  EXPECT_EQ(next->partition_epoch, PartitionEpoch(8));
}

TEST(PartitionRegistrationTest, EmptyIntListClearsTheField) {
  PartitionRegistration p = Healthy();
  p.adding_replicas = B({3});
  PartitionChangeRecord c;
  c.mutable_adding_replicas();  // present and empty
  auto next = p.Merge(c);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->adding_replicas.empty());
}

TEST(PartitionRegistrationTest, MergeRejectsLeaderOutsideIsr) {
  PartitionChangeRecord c;
  Ints(c.mutable_isr(), {2, 3});
  auto next = Healthy().Merge(c);  // leader 1 stays but leaves the ISR
  EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PartitionRegistrationTest, MergeRejectsIsrMemberThatIsNotAReplica) {
  PartitionChangeRecord c;
  Ints(c.mutable_isr(), {1, 9});
  EXPECT_FALSE(Healthy().Merge(c).ok());
}

TEST(PartitionRegistrationTest, ValidateRejectsBrokenRegistrations) {
  PartitionRegistration p = Healthy();
  p.replicas = B({1, 1, 2});
  EXPECT_FALSE(p.Validate().ok());
  p = Healthy();
  p.replicas.clear();
  EXPECT_FALSE(p.Validate().ok());
  p = Healthy();
  p.isr = B({1, 1});
  EXPECT_FALSE(p.Validate().ok());
  p = Healthy();
  p.adding_replicas = B({2});
  p.removing_replicas = B({2});
  EXPECT_FALSE(p.Validate().ok());
  p = Healthy();
  p.leader = kNoLeader;
  EXPECT_TRUE(p.Validate().ok());
}

TEST(PartitionRegistrationTest, RecordRoundTrip) {
  PartitionRegistration p = Healthy();
  p.replicas = B({1, 2, 3, 4});
  p.adding_replicas = B({4});
  PartitionRecord r;
  p.ToRecord(gregor::Uuid(1, 2), PartitionId(5), &r);
  EXPECT_EQ(r.partition_id(), 5);
  EXPECT_EQ(UuidFromProto(r.topic_id()), gregor::Uuid(1, 2));
  EXPECT_EQ(PartitionRegistration::FromRecord(r), p);
}

TEST(PartitionRegistrationTest, TargetReplicasExcludeRemoving) {
  PartitionRegistration p = Healthy();
  p.removing_replicas = B({2});
  EXPECT_EQ(p.TargetReplicas(), B({1, 3}));
  EXPECT_TRUE(p.IsReassigning());
  EXPECT_TRUE(p.HasPreferredLeader());
}

}  // namespace
}  // namespace gregor::metadata
