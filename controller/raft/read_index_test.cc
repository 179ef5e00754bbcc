// Linearizable reads by read-index (thesis §6.4).
#include <string>

#include "controller/raft/raft.h"
#include "controller/raft/test_cluster.h"
#include "gtest/gtest.h"

namespace gregor::controller::raft {
namespace {

using testing::TestCluster;

TEST(ReadIndexTest, LeaderServesReadAfterHeartbeatQuorumAtItsCommitIndex) {
  TestCluster c(3);
  c.Elect(1);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  c.record = true;
  ASSERT_TRUE(c.raft(1).ReadIndex("r1").ok());
  c.Stabilize();
  ASSERT_EQ(c.node(1).read_states.size(), 1u);
  EXPECT_EQ(c.node(1).read_states[0].context, "r1");
  EXPECT_EQ(c.node(1).read_states[0].index, c.raft(1).log().committed());
  int heartbeats = 0;
  for (const raftpb::Message& m : c.delivered) {
    if (m.type() == raftpb::MSG_HEARTBEAT) ++heartbeats;
  }
  EXPECT_EQ(heartbeats, 2) << "one confirmation round";
}

TEST(ReadIndexTest, ReadsIssuedTogetherShareOneHeartbeatRound) {
  TestCluster c(3);
  c.Elect(1);
  c.record = true;
  for (int k = 0; k < 10; ++k) ASSERT_TRUE(c.raft(1).ReadIndex("r" + std::to_string(k)).ok());
  c.Stabilize();
  EXPECT_EQ(c.node(1).read_states.size(), 10u);
  int heartbeats = 0;
  for (const raftpb::Message& m : c.delivered) {
    if (m.type() == raftpb::MSG_HEARTBEAT) ++heartbeats;
  }
  EXPECT_EQ(heartbeats, 2);
}

TEST(ReadIndexTest, PartitionedLeaderNeverServesARead) {
  // A deposed leader on the minority side must not answer: a newer leader
  // may have committed writes it has not seen.
  TestCluster c(3, [](Options& o) { o.check_quorum = false; });
  c.Elect(1);
  c.Isolate(1);
  ASSERT_TRUE(c.raft(1).ReadIndex("stale?").ok());
  c.Tick(1, 30);
  EXPECT_TRUE(c.node(1).read_states.empty());
  // The majority elects a leader and commits a write meanwhile.
  c.TickAll(40);
  int leader = c.raft(2).role() == Role::kLeader ? 2 : 3;
  ASSERT_EQ(c.raft(leader).role(), Role::kLeader);
  ASSERT_TRUE(c.Propose(leader, "new").ok());
  EXPECT_TRUE(c.node(1).read_states.empty());
}

TEST(ReadIndexTest, ReadBeforeFirstCommitOfTermWaitsForIt) {
  // Until a new leader commits its no-op, its commit index may be behind
  // what the previous leader committed; a read must wait for it.
  TestCluster c(3);
  c.Elect(1);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  c.Isolate(1);
  c.drop = [](const raftpb::Message& m) { return m.type() == raftpb::MSG_APPEND; };
  c.TickAll(40);
  int leader = c.Leader();
  ASSERT_TRUE(leader == 2 || leader == 3) << leader;
  ASSERT_FALSE(c.raft(leader).CommittedInCurrentTerm());
  ASSERT_TRUE(c.raft(leader).ReadIndex("r").ok());
  c.Tick(leader, 3);
  EXPECT_TRUE(c.node(leader).read_states.empty()) << "served before the term's first commit";
  c.drop = nullptr;
  c.Tick(leader, 3);
  ASSERT_TRUE(c.raft(leader).CommittedInCurrentTerm());
  ASSERT_EQ(c.node(leader).read_states.size(), 1u);
  EXPECT_EQ(c.node(leader).read_states[0].index, c.raft(leader).log().committed());
}

TEST(ReadIndexTest, FollowerReadIsForwardedToLeaderAndAnsweredWithItsCommitIndex) {
  TestCluster c(3);
  c.Elect(1);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  ASSERT_TRUE(c.raft(2).ReadIndex("f").ok());
  c.Stabilize();
  ASSERT_EQ(c.node(2).read_states.size(), 1u);
  EXPECT_EQ(c.node(2).read_states[0].context, "f");
  EXPECT_EQ(c.node(2).read_states[0].index, c.raft(1).log().committed());
}

TEST(ReadIndexTest, ReadWithoutKnownLeaderFails) {
  TestCluster c(3);
  EXPECT_EQ(c.raft(2).ReadIndex("x").code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ReadIndexTest, PendingReadsAreBounded) {
  TestCluster c(3, [](Options& o) { o.max_pending_reads = 2; });
  c.Elect(1);
  c.Isolate(1);
  EXPECT_TRUE(c.raft(1).ReadIndex("a").ok());
  EXPECT_TRUE(c.raft(1).ReadIndex("b").ok());
  EXPECT_EQ(c.raft(1).ReadIndex("c").code(), absl::StatusCode::kResourceExhausted);
}

TEST(ReadIndexTest, SingleNodeServesReadsAtOnce) {
  TestCluster c(1);
  c.Elect(1);
  ASSERT_TRUE(c.raft(1).ReadIndex("x").ok());
  c.Stabilize();
  EXPECT_EQ(c.node(1).read_states.size(), 1u);
}

}  // namespace
}  // namespace gregor::controller::raft
