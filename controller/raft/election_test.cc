// Leader election, pre-vote and check-quorum, named after the rules of the
// Raft paper/thesis they exercise.
#include <set>

#include "controller/raft/raft.h"
#include "controller/raft/test_cluster.h"
#include "gtest/gtest.h"

namespace gregor::controller::raft {
namespace {

using testing::TestCluster;

void NoPreVote(Options& o) { o.pre_vote = false; }
void Classic(Options& o) {
  o.pre_vote = false;
  o.check_quorum = false;
}

// Messages `id` wants to send right now (processes its Ready).
std::vector<raftpb::Message> Outbox(TestCluster& c, int id) {
  c.ProcessReady(id);
  std::vector<raftpb::Message> out(c.queue().begin(), c.queue().end());
  c.queue().clear();
  return out;
}

raftpb::Message VoteRequest(int from, int to, uint64_t term, uint64_t last_index,
                            uint64_t last_term, bool pre = false) {
  raftpb::Message m;
  m.set_type(pre ? raftpb::MSG_PRE_VOTE : raftpb::MSG_VOTE);
  m.set_from(from);
  m.set_to(to);
  m.set_term(term);
  m.set_index(last_index);
  m.set_log_term(last_term);
  return m;
}

TEST(ElectionTest, CandidateWithMajorityOfVotesBecomesLeaderAndCommitsNoop) {
  TestCluster c(3);
  EXPECT_EQ(c.Campaign(1), Role::kLeader);
  for (int id : c.ids()) {
    EXPECT_EQ(c.raft(id).term(), Term(1)) << id;
    EXPECT_EQ(c.raft(id).leader(), NodeId(1)) << id;
    EXPECT_EQ(c.raft(id).log().committed(), LogIndex(1)) << id;  // the no-op
  }
  EXPECT_EQ(c.raft(2).role(), Role::kFollower);
  EXPECT_EQ(c.node(2).applied.at(0).type(), raftpb::ENTRY_NOOP);
}

TEST(ElectionTest, FiveNodeClusterElectsWithThreeVotes) {
  TestCluster c(5);
  c.Isolate(4);
  c.Isolate(5);
  EXPECT_EQ(c.Campaign(1), Role::kLeader);
  c.Heal();
  c.Isolate(1);
  c.Isolate(2);
  c.Isolate(3);
  // Two of five cannot elect anyone.
  c.TickAll(60);
  EXPECT_NE(c.raft(3).role(), Role::kLeader);
  EXPECT_NE(c.raft(4).role(), Role::kLeader);
  EXPECT_NE(c.raft(5).role(), Role::kLeader);
}

TEST(ElectionTest, VoteWithStaleLogIsRejected) {
  TestCluster c(3, NoPreVote);
  c.SetLog(1, {{1, 1}}, 1);
  c.SetLog(2, {{1, 1}, {2, 2}}, 2);
  c.SetLog(3, {{1, 1}, {2, 2}}, 2);
  EXPECT_NE(c.Campaign(1), Role::kLeader);
  EXPECT_EQ(c.raft(2).vote(), kNoNode);
  EXPECT_EQ(c.raft(3).vote(), kNoNode);
  // The up-to-date node can win.
  EXPECT_EQ(c.Campaign(2), Role::kLeader);
}

TEST(ElectionTest, VoteWithSameLastTermButShorterLogIsRejected) {
  TestCluster c(3, NoPreVote);
  c.SetLog(1, {{1, 1}}, 1);
  c.SetLog(2, {{1, 1}, {2, 1}}, 1);
  c.SetLog(3, {{1, 1}, {2, 1}}, 1);
  EXPECT_NE(c.Campaign(1), Role::kLeader);
}

TEST(ElectionTest, PreVoteWithStaleLogIsRejectedWithoutRaisingAnyTerm) {
  TestCluster c(3);
  c.SetLog(1, {{1, 1}}, 2);
  c.SetLog(2, {{1, 1}, {2, 2}}, 2);
  c.SetLog(3, {{1, 1}, {2, 2}}, 2);
  EXPECT_NE(c.Campaign(1), Role::kLeader);
  for (int id : c.ids()) EXPECT_EQ(c.raft(id).term(), Term(2)) << id;
}

TEST(ElectionTest, NodeGrantsAtMostOneVotePerTerm) {
  TestCluster c(3, NoPreVote);
  c.raft(3).Step(VoteRequest(1, 3, 1, 0, 0));
  std::vector<raftpb::Message> out = Outbox(c, 3);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].reject());
  c.raft(3).Step(VoteRequest(2, 3, 1, 0, 0));
  out = Outbox(c, 3);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].reject());
  EXPECT_EQ(c.raft(3).vote(), NodeId(1));
  // A repeated request from the same candidate is granted again.
  c.raft(3).Step(VoteRequest(1, 3, 1, 0, 0));
  out = Outbox(c, 3);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].reject());
}

TEST(ElectionTest, VoteSurvivesRestart) {
  TestCluster c(3, NoPreVote);
  c.raft(3).Step(VoteRequest(1, 3, 1, 0, 0));
  Outbox(c, 3);  // persisted before the answer goes out
  c.Restart(3);
  c.raft(3).Step(VoteRequest(2, 3, 1, 0, 0));
  std::vector<raftpb::Message> out = Outbox(c, 3);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].reject());
}

TEST(ElectionTest, ElectionTimeoutIsRandomizedBetweenOneAndTwoTimeouts) {
  std::set<int> seen;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    TestCluster c(3, [seed](Options& o) { o.random_seed = seed; });
    c.Isolate(1);
    int ticks = 0;
    while (c.raft(1).role() == Role::kFollower) {
      c.Tick(1);
      ++ticks;
      ASSERT_LT(ticks, 100);
    }
    EXPECT_GE(ticks, 10);
    EXPECT_LT(ticks, 20);
    seen.insert(ticks);
  }
  EXPECT_GT(seen.size(), 3u);
}

TEST(ElectionTest, PreVoteDoesNotDisruptStableLeader) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(3);
  c.Tick(3, 100);  // times out again and again, alone
  EXPECT_EQ(c.raft(3).term(), Term(1)) << "pre-vote must not raise the term";
  c.Heal();
  c.Tick(1);  // a heartbeat brings node 3 back
  EXPECT_EQ(c.raft(1).role(), Role::kLeader);
  EXPECT_EQ(c.raft(1).term(), Term(1));
  EXPECT_EQ(c.raft(3).role(), Role::kFollower);
  EXPECT_EQ(c.raft(3).leader(), NodeId(1));
}

TEST(ElectionTest, WithoutPreVoteRejoiningNodeDisruptsLeader) {
  // The contrast to the test above: this is what pre-vote prevents.
  TestCluster c(3, Classic);
  c.Elect(1);
  c.Isolate(3);
  c.Tick(3, 100);
  EXPECT_GT(c.raft(3).term(), Term(3));
  c.Heal();
  c.Tick(3, 30);
  EXPECT_GT(c.raft(1).term(), Term(1));
}

TEST(ElectionTest, FollowerIgnoresVoteRequestWhileLeaderLeaseHolds) {
  TestCluster c(3);
  c.Elect(1);
  c.raft(2).Step(VoteRequest(3, 2, 5, 100, 5));
  EXPECT_EQ(c.raft(2).term(), Term(1));
  EXPECT_TRUE(Outbox(c, 2).empty());
}

TEST(ElectionTest, PartitionedPreCandidateRejoinsWithoutRaisingTerm) {
  TestCluster c(5);
  c.Elect(1);
  c.Isolate(5);
  c.Tick(5, 25);
  EXPECT_EQ(c.raft(5).role(), Role::kPreCandidate);
  c.Heal();
  c.Tick(1);
  EXPECT_EQ(c.raft(5).role(), Role::kFollower);
  for (int id : c.ids()) EXPECT_EQ(c.raft(id).term(), Term(1)) << id;
}

TEST(ElectionTest, LeaderWithPartitionedMajorityStepsDown) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(1);
  // The check runs once per election timeout over the followers heard from
  // since the last check, so the leader notices within two timeouts.
  c.Tick(1, 10);
  c.Tick(1, 10);
  EXPECT_EQ(c.raft(1).role(), Role::kFollower);
  EXPECT_EQ(c.raft(1).leader(), kNoNode);
}

TEST(ElectionTest, LeaderHearingFromQuorumStaysLeader) {
  TestCluster c(5);
  c.Elect(1);
  c.Isolate(4);
  c.Isolate(5);
  c.Tick(1, 50);
  EXPECT_EQ(c.raft(1).role(), Role::kLeader);
}

TEST(ElectionTest, WithoutCheckQuorumIsolatedLeaderStaysLeader) {
  TestCluster c(3, Classic);
  c.Elect(1);
  c.Isolate(1);
  c.Tick(1, 50);
  EXPECT_EQ(c.raft(1).role(), Role::kLeader);
}

TEST(ElectionTest, MajoritySideElectsNewLeaderWhileOldOneStepsDown) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(1);
  c.TickAll(40);
  int leader = c.Leader();
  EXPECT_TRUE(leader == 2 || leader == 3) << leader;
  EXPECT_NE(c.raft(1).role(), Role::kLeader);
  c.Heal();
  c.TickAll(3);
  EXPECT_EQ(c.raft(1).leader(), NodeId(leader));
  EXPECT_EQ(c.raft(1).term(), c.raft(leader).term());
}

TEST(ElectionTest, StaleLeaderLearnsNewTermFromAppendResponse) {
  // Without check-quorum the old leader would not step down by itself; a
  // follower that knows the new term answers its heartbeat and it does.
  TestCluster c(3, [](Options& o) { o.check_quorum = false; });
  c.Elect(1);
  c.Isolate(1);
  c.TickAll(40);
  EXPECT_EQ(c.raft(1).role(), Role::kLeader);  // still thinks so
  int leader = c.Leader();
  EXPECT_NE(leader, 1);
  leader = c.raft(2).role() == Role::kLeader ? 2 : 3;
  c.Heal();
  c.Tick(1);  // its heartbeat is answered with the higher term
  EXPECT_EQ(c.raft(1).role(), Role::kFollower);
  EXPECT_EQ(c.raft(1).term(), c.raft(leader).term());
}

TEST(ElectionTest, CandidateReturnsToFollowerOnAppendFromLeaderOfItsTerm) {
  TestCluster c(3, Classic);
  c.Elect(1);
  // Node 3 misses the heartbeats and campaigns in term 2, while 1 and 2...
  c.Isolate(3);
  c.raft(3).Campaign();
  EXPECT_EQ(c.raft(3).role(), Role::kCandidate);
  EXPECT_EQ(c.raft(3).term(), Term(2));
  // ...meanwhile node 2 wins term 2 (node 3's request never arrived).
  c.Heal();
  c.Isolate(3);
  c.raft(2).Campaign();
  c.Stabilize();
  ASSERT_EQ(c.raft(2).role(), Role::kLeader);
  ASSERT_EQ(c.raft(2).term(), Term(2));
  c.Heal();
  c.Tick(2);
  EXPECT_EQ(c.raft(3).role(), Role::kFollower);
  EXPECT_EQ(c.raft(3).leader(), NodeId(2));
}

TEST(ElectionTest, SplitVoteIsResolvedByRandomizedTimeouts) {
  TestCluster c(5, NoPreVote);
  c.TickAll(200);
  EXPECT_NE(c.Leader(), 0);
}

TEST(ElectionTest, SingleNodeClusterElectsItselfAndCommits) {
  TestCluster c(1);
  EXPECT_EQ(c.Campaign(1), Role::kLeader);
  ASSERT_TRUE(c.Propose(1, "x").ok());
  EXPECT_EQ(testing::AppliedData(c.node(1)), std::vector<std::string>{"x"});
}

TEST(ElectionTest, MessagesFromNonVotersAreIgnored) {
  TestCluster c(3);
  c.raft(1).Step(VoteRequest(9, 1, 5, 10, 5, /*pre=*/false));
  EXPECT_EQ(c.raft(1).term(), Term(0));
  EXPECT_TRUE(Outbox(c, 1).empty());
}

}  // namespace
}  // namespace gregor::controller::raft
