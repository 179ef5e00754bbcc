// Leadership transfer (thesis §3.10): MSG_TIMEOUT_NOW once the target is up
// to date.
#include <string>

#include "controller/raft/raft.h"
#include "controller/raft/test_cluster.h"
#include "gtest/gtest.h"

namespace gregor::controller::raft {
namespace {

using testing::AppliedData;
using testing::TestCluster;

TEST(TransferTest, LeadershipMovesToAnUpToDateFollower) {
  TestCluster c(3);
  c.Elect(1);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  ASSERT_TRUE(c.raft(1).TransferLeadership(NodeId(2)).ok());
  c.Stabilize();
  EXPECT_EQ(c.raft(2).role(), Role::kLeader);
  EXPECT_EQ(c.raft(1).role(), Role::kFollower);
  EXPECT_EQ(c.raft(1).leader(), NodeId(2));
  EXPECT_EQ(c.raft(2).term(), Term(2));
  ASSERT_TRUE(c.Propose(2, "b").ok());
  EXPECT_EQ(AppliedData(c.node(1)), (std::vector<std::string>{"a", "b"}));
}

TEST(TransferTest, LaggingTargetIsCaughtUpBeforeTimeoutNow) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(3);
  for (int k = 0; k < 5; ++k) ASSERT_TRUE(c.Propose(1, "e" + std::to_string(k)).ok());
  c.Heal();
  c.record = true;
  ASSERT_TRUE(c.raft(1).TransferLeadership(NodeId(3)).ok());
  c.Tick(1, 8);
  EXPECT_EQ(c.raft(3).role(), Role::kLeader);
  // TimeoutNow went out only once node 3 held the whole log.
  for (const raftpb::Message& m : c.delivered) {
    if (m.type() == raftpb::MSG_TIMEOUT_NOW) {
      EXPECT_EQ(AppliedData(c.node(3)).size(), 5u);
    }
  }
}

TEST(TransferTest, ProposalsAreRefusedDuringTransfer) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(2);
  ASSERT_TRUE(c.raft(1).TransferLeadership(NodeId(2)).ok());
  EXPECT_EQ(c.raft(1).Propose("x").status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(TransferTest, TransferToUnreachableNodeIsAbortedAfterElectionTimeout) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(2);
  ASSERT_TRUE(c.raft(1).TransferLeadership(NodeId(2)).ok());
  EXPECT_EQ(c.raft(1).transfer_target(), NodeId(2));
  c.Tick(1, 10);
  EXPECT_EQ(c.raft(1).transfer_target(), kNoNode);
  EXPECT_EQ(c.raft(1).role(), Role::kLeader);
  EXPECT_TRUE(c.Propose(1, "x").ok());
}

TEST(TransferTest, TransferCampaignIsNotIgnoredByFollowersInLease) {
  // Node 3 heard from the leader a moment ago; a normal candidate would be
  // ignored, the transfer target is not.
  TestCluster c(3);
  c.Elect(1);
  c.Tick(1);
  ASSERT_TRUE(c.raft(1).TransferLeadership(NodeId(2)).ok());
  c.Stabilize();
  EXPECT_EQ(c.raft(2).role(), Role::kLeader);
  EXPECT_EQ(c.raft(3).leader(), NodeId(2));
}

TEST(TransferTest, InvalidTargetsAreRefused) {
  TestCluster c(3);
  c.Elect(1);
  EXPECT_EQ(c.raft(1).TransferLeadership(NodeId(1)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(c.raft(1).TransferLeadership(NodeId(7)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(c.raft(2).TransferLeadership(NodeId(3)).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(TransferTest, FiveNodeClusterTransfersAndKeepsCommitting) {
  TestCluster c(5);
  c.Elect(1);
  for (int target = 2; target <= 5; ++target) {
    int leader = c.Leader();
    ASSERT_TRUE(c.raft(leader).TransferLeadership(NodeId(target)).ok());
    c.Stabilize();
    ASSERT_EQ(c.Leader(), target);
    ASSERT_TRUE(c.Propose(target, "t" + std::to_string(target)).ok());
  }
  for (int id : c.ids()) EXPECT_EQ(AppliedData(c.node(id)).size(), 4u) << id;
}

}  // namespace
}  // namespace gregor::controller::raft
