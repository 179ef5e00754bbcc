// Progress flow control and the quorum arithmetic of ProgressTracker.
#include "controller/raft/progress.h"

#include "gtest/gtest.h"

namespace gregor::controller::raft {
namespace {

TEST(InflightsTest, FullAtCapacityAndFreedByAcknowledgement) {
  Inflights in(3);
  in.Add(LogIndex(2));
  in.Add(LogIndex(5));
  in.Add(LogIndex(9));
  EXPECT_TRUE(in.Full());
  in.FreeLE(LogIndex(5));
  EXPECT_EQ(in.Count(), 1u);
  in.FreeFirstOne();
  EXPECT_EQ(in.Count(), 0u);
}

TEST(InflightsTest, AddingBeyondCapacityIsABug) {
  Inflights in(1);
  in.Add(LogIndex(1));
  EXPECT_DEATH(in.Add(LogIndex(2)), "full");
}

TEST(ProgressTest, ProbeSendsOneAppendAtATime) {
  Progress pr(8);
  pr.next = LogIndex(5);
  EXPECT_FALSE(pr.IsPaused());
  pr.probe_sent = true;
  EXPECT_TRUE(pr.IsPaused());
  EXPECT_TRUE(pr.MaybeUpdate(LogIndex(4)));
  EXPECT_FALSE(pr.IsPaused());
}

TEST(ProgressTest, ReplicatePausesWhenWindowIsFull) {
  Progress pr(2);
  pr.match = LogIndex(3);
  pr.BecomeReplicate();
  EXPECT_EQ(pr.next, LogIndex(4));
  pr.OptimisticUpdate(LogIndex(5));
  pr.inflights.Add(LogIndex(5));
  pr.OptimisticUpdate(LogIndex(7));
  pr.inflights.Add(LogIndex(7));
  EXPECT_TRUE(pr.IsPaused());
  EXPECT_EQ(pr.next, LogIndex(8));
}

TEST(ProgressTest, StaleRejectionIsIgnored) {
  Progress pr(8);
  pr.match = LogIndex(5);
  pr.BecomeReplicate();
  pr.OptimisticUpdate(LogIndex(9));
  EXPECT_FALSE(pr.MaybeDecrTo(LogIndex(4), LogIndex(4))) << "rejects an index below match";
  EXPECT_TRUE(pr.MaybeDecrTo(LogIndex(7), LogIndex(7)));
  EXPECT_EQ(pr.next, LogIndex(6));
}

TEST(ProgressTest, ProbeRejectionUsesTheHintButNeverGoesBelowMatch) {
  Progress pr(8);
  pr.match = LogIndex(2);
  pr.next = LogIndex(11);
  EXPECT_FALSE(pr.MaybeDecrTo(LogIndex(7), LogIndex(3))) << "not the outstanding probe";
  EXPECT_TRUE(pr.MaybeDecrTo(LogIndex(10), LogIndex(4)));
  EXPECT_EQ(pr.next, LogIndex(5));
  EXPECT_TRUE(pr.MaybeDecrTo(LogIndex(4), LogIndex(0)));
  EXPECT_EQ(pr.next, LogIndex(3));
}

TEST(ProgressTest, SnapshotStatePausesAndResumesAfterTheSnapshot) {
  Progress pr(8);
  pr.BecomeSnapshot(LogIndex(20));
  EXPECT_TRUE(pr.IsPaused());
  pr.MaybeUpdate(LogIndex(20));
  pr.BecomeProbe();
  EXPECT_EQ(pr.next, LogIndex(21));
}

TEST(ProgressTrackerTest, QuorumMatchIsTheMedianForFiveVoters) {
  ProgressTracker t({NodeId(1), NodeId(2), NodeId(3), NodeId(4), NodeId(5)}, 4);
  uint64_t matches[] = {9, 3, 7, 1, 5};
  for (int i = 0; i < 5; ++i) t.at(NodeId(i + 1)).match = LogIndex(matches[i]);
  EXPECT_EQ(t.QuorumMatch(), LogIndex(5));
  EXPECT_EQ(t.Quorum(), 3u);
}

TEST(ProgressTrackerTest, VotesAreTalliedAgainstTheQuorum) {
  ProgressTracker t({NodeId(1), NodeId(2), NodeId(3)}, 4);
  t.RecordVote(NodeId(1), true);
  EXPECT_EQ(t.TallyVotes(), ProgressTracker::VoteResult::kPending);
  t.RecordVote(NodeId(2), false);
  EXPECT_EQ(t.TallyVotes(), ProgressTracker::VoteResult::kPending);
  t.RecordVote(NodeId(2), true);  // a second answer does not count
  EXPECT_EQ(t.TallyVotes(), ProgressTracker::VoteResult::kPending);
  t.RecordVote(NodeId(3), false);
  EXPECT_EQ(t.TallyVotes(), ProgressTracker::VoteResult::kLost);
  t.ResetVotes();
  t.RecordVote(NodeId(1), true);
  t.RecordVote(NodeId(3), true);
  EXPECT_EQ(t.TallyVotes(), ProgressTracker::VoteResult::kWon);
  t.RecordVote(NodeId(9), true);  // not a voter: ignored
}

TEST(ProgressTrackerTest, QuorumActiveCountsSelfAndResetsFlags) {
  ProgressTracker t({NodeId(1), NodeId(2), NodeId(3)}, 4);
  t.at(NodeId(2)).recent_active = true;
  EXPECT_TRUE(t.QuorumActiveAndReset(NodeId(1)));
  EXPECT_FALSE(t.QuorumActiveAndReset(NodeId(1)));
}

TEST(ProgressTrackerTest, ReadAcksCountVotersAtOrPastTheRound) {
  ProgressTracker t({NodeId(1), NodeId(2), NodeId(3)}, 4);
  t.at(NodeId(2)).read_seq_acked = 4;
  t.at(NodeId(3)).read_seq_acked = 2;
  EXPECT_EQ(t.ReadAcks(NodeId(1), 3), 2u);
  EXPECT_EQ(t.ReadAcks(NodeId(1), 2), 3u);
}

}  // namespace
}  // namespace gregor::controller::raft
