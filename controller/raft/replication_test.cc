// Log replication: log matching, conflict truncation, the commit rule,
// batching, pipelining and loss recovery.
#include <string>
#include <vector>

#include "controller/raft/raft.h"
#include "controller/raft/test_cluster.h"
#include "gtest/gtest.h"

namespace gregor::controller::raft {
namespace {

using testing::AppliedData;
using testing::TestCluster;

void NoPreVote(Options& o) { o.pre_vote = false; }

std::vector<std::pair<uint64_t, uint64_t>> StoredLog(TestCluster& c, int id) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  MemoryStorage& s = c.storage(id);
  for (LogIndex i = s.FirstIndex(); i <= s.LastIndex(); ++i) {
    out.emplace_back(i.value(), s.TermAt(i)->value());
  }
  return out;
}

raftpb::Message AppendResponse(int from, int to, uint64_t term, uint64_t index) {
  raftpb::Message m;
  m.set_type(raftpb::MSG_APPEND_RESPONSE);
  m.set_from(from);
  m.set_to(to);
  m.set_term(term);
  m.set_index(index);
  return m;
}

TEST(ReplicationTest, CommittedProposalIsAppliedOnEveryNodeInOrder) {
  TestCluster c(3);
  c.Elect(1);
  for (const char* d : {"a", "b", "c"}) ASSERT_TRUE(c.Propose(1, d).ok());
  for (int id : c.ids()) {
    EXPECT_EQ(AppliedData(c.node(id)), (std::vector<std::string>{"a", "b", "c"})) << id;
    EXPECT_EQ(StoredLog(c, id), StoredLog(c, 1)) << id;
  }
}

TEST(ReplicationTest, ProposalOnFollowerIsRefused) {
  TestCluster c(3);
  c.Elect(1);
  absl::StatusOr<Proposal> p = c.raft(2).Propose("x");
  EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ReplicationTest, ProposalLargerThanLimitIsRefused) {
  TestCluster c(3, [](Options& o) { o.max_entry_bytes = 10; });
  c.Elect(1);
  EXPECT_EQ(c.raft(1).Propose(std::string(11, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(c.raft(1).Propose(std::string(10, 'x')).ok());
}

TEST(ReplicationTest, UncommittedBytesAreBounded) {
  TestCluster c(3, [](Options& o) { o.max_uncommitted_bytes = 100; });
  c.Elect(1);
  c.Isolate(1);
  int accepted = 0;
  while (c.Propose(1, std::string(30, 'x')).ok()) ++accepted;
  EXPECT_EQ(accepted, 3);
  EXPECT_EQ(c.raft(1).Propose(std::string(30, 'y')).status().code(),
            absl::StatusCode::kResourceExhausted);
  c.Heal();
  c.Tick(1, 10);  // the stalled pipeline is re-probed
  EXPECT_TRUE(c.Propose(1, std::string(30, 'x')).ok()) << "commit frees the budget";
}

TEST(ReplicationTest, LeaderCountsItsOwnEntryOnlyOnceDurable) {
  TestCluster c(1);
  c.Elect(1);
  ASSERT_TRUE(c.raft(1).Propose("x").ok());
  Ready rd = c.raft(1).GetReady();
  ASSERT_EQ(rd.entries.size(), 1u);
  EXPECT_TRUE(rd.committed_entries.empty()) << "committed before it was persisted";
  ASSERT_TRUE(c.storage(1).Append(rd.entries).ok());
  c.raft(1).Advance(rd);
  rd = c.raft(1).GetReady();
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_EQ(rd.committed_entries[0].data(), "x");
  c.raft(1).Advance(rd);
}

TEST(ReplicationTest, FollowerWithConflictingEntriesIsTruncated) {
  // §3.5: node 3 holds entries of term 1 that never committed; the leader of
  // term 3 overwrites them with its own.
  TestCluster c(3, NoPreVote);
  c.SetLog(1, {{1, 1}, {2, 1}, {3, 2}}, 2);
  c.SetLog(2, {{1, 1}, {2, 1}, {3, 2}}, 2);
  c.SetLog(3, {{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}}, 2);
  c.Elect(1);
  ASSERT_TRUE(c.Propose(1, "x").ok());
  std::vector<std::pair<uint64_t, uint64_t>> want = {{1, 1}, {2, 1}, {3, 2}, {4, 3}, {5, 3}};
  EXPECT_EQ(StoredLog(c, 3), want);
  EXPECT_EQ(StoredLog(c, 1), want);
  EXPECT_EQ(c.raft(3).log().committed(), LogIndex(5));
}

TEST(ReplicationTest, NewLeaderDoesNotCommitOldTermEntryByCountingReplicas) {
  // Figure 3.7: entry 2 (term 2) is on a majority once node 2 acknowledges
  // it, but a term-4 leader must not count that as committed; it commits only
  // when its own no-op (term 4) reaches a majority.
  TestCluster c(3, NoPreVote);
  c.SetLog(1, {{1, 1}, {2, 2}}, 3);
  c.SetLog(2, {{1, 1}, {2, 2}}, 3);
  c.SetLog(3, {{1, 1}}, 3);
  c.drop = [](const raftpb::Message& m) {
    return m.type() == raftpb::MSG_APPEND || m.type() == raftpb::MSG_HEARTBEAT;
  };
  ASSERT_EQ(c.Campaign(1), Role::kLeader);
  ASSERT_EQ(c.raft(1).term(), Term(4));
  ASSERT_EQ(c.raft(1).log().LastIndex(), LogIndex(3));  // the no-op
  c.raft(1).Step(AppendResponse(2, 1, 4, 2));
  c.Stabilize();
  EXPECT_EQ(c.raft(1).log().committed(), LogIndex(0));
  c.raft(1).Step(AppendResponse(2, 1, 4, 3));
  c.Stabilize();
  EXPECT_EQ(c.raft(1).log().committed(), LogIndex(3)) << "old entries commit with the no-op";
}

TEST(ReplicationTest, FastBacktrackingSkipsAConflictingTermInOneRoundTrip) {
  TestCluster c(3, NoPreVote);
  std::vector<std::pair<uint64_t, uint64_t>> leader = {{1, 1}};
  std::vector<std::pair<uint64_t, uint64_t>> stale = {{1, 1}};
  for (uint64_t i = 2; i <= 60; ++i) leader.emplace_back(i, 3);
  for (uint64_t i = 2; i <= 100; ++i) stale.emplace_back(i, 2);
  c.SetLog(1, leader, 3);
  c.SetLog(2, leader, 3);
  c.SetLog(3, stale, 3);
  c.record = true;
  c.Elect(1);
  int rejects = 0;
  for (const raftpb::Message& m : c.delivered) {
    if (m.type() == raftpb::MSG_APPEND_RESPONSE && m.reject() && m.from() == 3) ++rejects;
  }
  EXPECT_LE(rejects, 2) << "without hints this takes ~60 round trips";
  EXPECT_EQ(StoredLog(c, 3), StoredLog(c, 1));
}

TEST(ReplicationTest, FollowerMissingEntriesCatchesUp) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(3);
  for (int k = 0; k < 20; ++k) ASSERT_TRUE(c.Propose(1, "e" + std::to_string(k)).ok());
  c.Heal();
  c.Tick(1, 10);
  EXPECT_EQ(AppliedData(c.node(3)), AppliedData(c.node(1)));
  EXPECT_EQ(AppliedData(c.node(3)).size(), 20u);
}

TEST(ReplicationTest, AppendMessagesRespectMaxAppendBytes) {
  TestCluster c(3, [](Options& o) { o.max_append_bytes = 1000; });
  c.Elect(1);
  c.Isolate(3);
  for (int k = 0; k < 30; ++k) ASSERT_TRUE(c.Propose(1, std::string(200, 'a' + k % 26)).ok());
  c.record = true;
  c.Heal();
  c.Tick(1, 10);
  int appends = 0;
  for (const raftpb::Message& m : c.delivered) {
    if (m.type() != raftpb::MSG_APPEND || m.entries_size() == 0) continue;
    ++appends;
    size_t bytes = 0;
    for (const raftpb::Entry& e : m.entries()) bytes += EntryBytes(e);
    EXPECT_TRUE(bytes <= 1000 || m.entries_size() == 1) << bytes;
  }
  EXPECT_GE(appends, 7);
  EXPECT_EQ(AppliedData(c.node(3)).size(), 30u);
}

TEST(ReplicationTest, PipelinedAppendsAreBoundedByInflightWindow) {
  TestCluster c(3, [](Options& o) { o.max_inflight_appends = 3; });
  c.Elect(1);
  // Node 2 receives but its answers are lost: the leader may have only 3
  // appends outstanding to it.
  c.drop = [](const raftpb::Message& m) {
    return m.from() == 2 && m.type() == raftpb::MSG_APPEND_RESPONSE;
  };
  c.record = true;
  for (int k = 0; k < 10; ++k) ASSERT_TRUE(c.Propose(1, "p" + std::to_string(k)).ok());
  int to_2 = 0, to_3 = 0;
  for (const raftpb::Message& m : c.delivered) {
    if (m.type() != raftpb::MSG_APPEND || m.entries_size() == 0) continue;
    (m.to() == 2 ? to_2 : to_3)++;
  }
  EXPECT_EQ(to_2, 3);
  EXPECT_EQ(to_3, 10);
  // Everything commits with node 3 anyway.
  EXPECT_EQ(AppliedData(c.node(1)).size(), 10u);
}

TEST(ReplicationTest, LostAppendIsRecoveredThroughHeartbeats) {
  TestCluster c(3);
  c.Elect(1);
  bool dropped = false;
  c.drop = [&dropped](const raftpb::Message& m) {
    if (!dropped && m.to() == 3 && m.type() == raftpb::MSG_APPEND && m.entries_size() > 0) {
      dropped = true;
      return true;
    }
    return false;
  };
  ASSERT_TRUE(c.Propose(1, "x").ok());
  ASSERT_TRUE(dropped);
  EXPECT_TRUE(AppliedData(c.node(3)).empty());
  c.Tick(1, 10);
  EXPECT_EQ(AppliedData(c.node(3)), std::vector<std::string>{"x"});
}

TEST(ReplicationTest, HeartbeatNeverCommitsBeyondFollowerMatch) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(3);
  ASSERT_TRUE(c.Propose(1, "x").ok());
  c.Heal();
  c.record = true;
  c.drop = [](const raftpb::Message& m) { return m.type() == raftpb::MSG_APPEND; };
  c.Tick(1);
  for (const raftpb::Message& m : c.delivered) {
    if (m.type() == raftpb::MSG_HEARTBEAT && m.to() == 3) {
      EXPECT_EQ(m.commit(), 1u) << "node 3 only holds index 1";
    }
  }
  EXPECT_EQ(c.raft(3).log().committed(), LogIndex(1));
}

TEST(ReplicationTest, MalformedAppendIsDropped) {
  TestCluster c(3);
  c.Elect(1);
  raftpb::Message m;
  m.set_type(raftpb::MSG_APPEND);
  m.set_from(1);
  m.set_to(2);
  m.set_term(1);
  m.set_index(1);
  m.set_log_term(1);
  raftpb::Entry* e = m.add_entries();
  e->set_index(7);  // not prev + 1
  e->set_term(1);
  c.raft(2).Step(m);
  EXPECT_EQ(c.raft(2).log().LastIndex(), LogIndex(1));
}

TEST(ReplicationTest, CommittedEntriesSurviveRestartOfAnyNode) {
  TestCluster c(3);
  c.Elect(1);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  for (int id : c.ids()) c.Restart(id);
  c.TickAll(30);
  int leader = c.Leader();
  ASSERT_NE(leader, 0);
  ASSERT_TRUE(c.Propose(leader, "b").ok());
  for (int id : c.ids()) {
    EXPECT_EQ(AppliedData(c.node(id)), (std::vector<std::string>{"a", "b"})) << id;
  }
}

}  // namespace
}  // namespace gregor::controller::raft
