// Snapshots, log compaction and InstallSnapshot in chunks.
#include <set>
#include <string>
#include <vector>

#include "common/crc32c.h"
#include "controller/raft/raft.h"
#include "controller/raft/test_cluster.h"
#include "gtest/gtest.h"

namespace gregor::controller::raft {
namespace {

using testing::AppliedData;
using testing::TestCluster;

void SmallChunks(Options& o) {
  o.snapshot_chunk_bytes = 16;
  o.max_inflight_snapshot_chunks = 3;
}

// Elects node 1, commits `n` entries while node 3 is cut off, then snapshots
// and compacts the leader's log so node 3 can only catch up by snapshot.
void LagBehindSnapshot(TestCluster& c, int n) {
  c.Elect(1);
  c.Isolate(3);
  for (int k = 0; k < n; ++k) ASSERT_TRUE(c.Propose(1, "entry" + std::to_string(k)).ok());
  c.SnapshotAndCompact(1);
  ASSERT_GT(c.storage(1).FirstIndex(), LogIndex(2));
}

std::vector<raftpb::Message> Chunks(const std::vector<raftpb::Message>& msgs) {
  std::vector<raftpb::Message> out;
  for (const raftpb::Message& m : msgs) {
    if (m.type() == raftpb::MSG_SNAPSHOT) out.push_back(m);
  }
  return out;
}

TEST(SnapshotTest, LaggingFollowerIsCaughtUpBySnapshotThenLog) {
  TestCluster c(3);
  LagBehindSnapshot(c, 10);
  c.Heal();
  c.Tick(1, 10);
  ASSERT_EQ(c.node(3).installed.size(), 1u);
  EXPECT_EQ(AppliedData(c.node(3)), AppliedData(c.node(1)));
  // The log continues after the snapshot.
  ASSERT_TRUE(c.Propose(1, "after").ok());
  EXPECT_EQ(AppliedData(c.node(3)).back(), "after");
  EXPECT_EQ(c.storage(3).FirstIndex(), c.storage(1).FirstIndex());
}

TEST(SnapshotTest, SnapshotWhileFollowerLagsKeepsReplicatingToOthers) {
  TestCluster c(3);
  LagBehindSnapshot(c, 10);
  ASSERT_TRUE(c.Propose(1, "more").ok());
  EXPECT_EQ(AppliedData(c.node(2)), AppliedData(c.node(1)));
  c.Heal();
  c.Tick(1, 10);
  EXPECT_EQ(AppliedData(c.node(3)), AppliedData(c.node(1)));
}

TEST(SnapshotTest, SnapshotIsStreamedInChunksNoLargerThanTheLimit) {
  TestCluster c(3, SmallChunks);
  LagBehindSnapshot(c, 20);
  size_t size = c.storage(1).Snapshot()->data().size();
  ASSERT_GT(size, 100u);
  c.record = true;
  c.Heal();
  c.Tick(1, 10);
  std::vector<raftpb::Message> chunks = Chunks(c.delivered);
  ASSERT_FALSE(chunks.empty());
  uint64_t expected = 0;
  for (const raftpb::Message& m : chunks) {
    EXPECT_LE(m.snapshot_data().size(), 16u);
    EXPECT_EQ(m.snapshot_offset(), expected) << "no chunk is sent twice without loss";
    expected += m.snapshot_data().size();
  }
  EXPECT_EQ(expected, size);
  EXPECT_TRUE(chunks.back().snapshot_done());
  EXPECT_EQ(AppliedData(c.node(3)), AppliedData(c.node(1)));
}

TEST(SnapshotTest, InflightChunksAreBoundedByTheWindow) {
  TestCluster c(3, SmallChunks);
  LagBehindSnapshot(c, 20);
  // Node 3 receives chunks but its answers are lost.
  c.Heal();
  c.drop = [](const raftpb::Message& m) {
    return m.from() == 3 && m.type() == raftpb::MSG_SNAPSHOT_RESPONSE;
  };
  c.record = true;
  c.Tick(1, 20);
  // Without answers the leader never goes past its window (it resends the
  // same chunks after each stall).
  std::set<uint64_t> offsets;
  for (const raftpb::Message& m : Chunks(c.delivered)) offsets.insert(m.snapshot_offset());
  EXPECT_EQ(offsets, (std::set<uint64_t>{0, 16, 32}));
}

TEST(SnapshotTest, ChunkedSnapshotResumesAfterLostChunkInsteadOfRestarting) {
  TestCluster c(3, SmallChunks);
  LagBehindSnapshot(c, 20);
  bool dropped = false;
  c.Heal();
  c.drop = [&dropped](const raftpb::Message& m) {
    if (!dropped && m.type() == raftpb::MSG_SNAPSHOT && m.snapshot_offset() == 48) {
      dropped = true;
      return true;
    }
    return false;
  };
  c.record = true;
  c.Tick(1, 10);
  ASSERT_TRUE(dropped);
  int from_zero = 0, at_48 = 0;
  for (const raftpb::Message& m : Chunks(c.delivered)) {
    if (m.snapshot_offset() == 0) ++from_zero;
    if (m.snapshot_offset() == 48) ++at_48;
  }
  EXPECT_EQ(from_zero, 1) << "the stream resumed where the follower stood";
  EXPECT_EQ(at_48, 1) << "the lost chunk was resent once";
  EXPECT_EQ(AppliedData(c.node(3)), AppliedData(c.node(1)));
}

TEST(SnapshotTest, LostFinalChunkIsResentAfterAStall) {
  TestCluster c(3, SmallChunks);
  LagBehindSnapshot(c, 20);
  c.Heal();
  int dropped = 0;
  c.drop = [&dropped](const raftpb::Message& m) {
    if (dropped == 0 && m.type() == raftpb::MSG_SNAPSHOT && m.snapshot_done()) {
      ++dropped;
      return true;
    }
    return false;
  };
  c.Tick(1, 20);
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(AppliedData(c.node(3)), AppliedData(c.node(1)));
}

TEST(SnapshotTest, FollowerRestartedMidStreamGetsTheSnapshotFromTheStart) {
  TestCluster c(3, SmallChunks);
  LagBehindSnapshot(c, 20);
  // Deliver only the first window, then restart node 3 (its partial
  // snapshot lives in memory only).
  int delivered = 0;
  c.Heal();
  c.drop = [&delivered](const raftpb::Message& m) {
    if (m.type() != raftpb::MSG_SNAPSHOT) return false;
    return ++delivered > 3;
  };
  c.Tick(1, 2);
  ASSERT_TRUE(c.node(3).installed.empty());
  c.Restart(3);
  c.drop = nullptr;
  c.Tick(1, 20);
  ASSERT_EQ(c.node(3).installed.size(), 1u);
  EXPECT_EQ(AppliedData(c.node(3)), AppliedData(c.node(1)));
}

TEST(SnapshotTest, CorruptedSnapshotIsRejectedByChecksumAndResent) {
  TestCluster c(3, SmallChunks);
  LagBehindSnapshot(c, 20);
  bool corrupted = false;
  c.Heal();
  c.mutate = [&corrupted](raftpb::Message& m) {
    if (!corrupted && m.type() == raftpb::MSG_SNAPSHOT && m.snapshot_offset() == 16) {
      corrupted = true;
      (*m.mutable_snapshot_data())[0] ^= 0x55;
    }
  };
  c.Tick(1, 20);
  ASSERT_TRUE(corrupted);
  ASSERT_EQ(c.node(3).installed.size(), 1u);
  EXPECT_EQ(c.node(3).installed[0].data(), c.storage(1).Snapshot()->data());
  EXPECT_EQ(AppliedData(c.node(3)), AppliedData(c.node(1)));
}

TEST(SnapshotTest, SnapshotLargerThanTheFollowersLimitIsNotInstalled) {
  TestCluster c(3, [](Options& o) {
    SmallChunks(o);
    if (o.id == NodeId(3)) o.max_snapshot_bytes = 50;
  });
  LagBehindSnapshot(c, 20);
  c.Heal();
  c.Tick(1, 20);
  EXPECT_TRUE(c.node(3).installed.empty());
  EXPECT_EQ(c.raft(1).role(), Role::kLeader);
}

TEST(SnapshotTest, FollowerHoldingTheSnapshotIndexOnlyAdvancesCommit) {
  TestCluster c(3);
  c.Elect(1);
  // Node 3 gets the entries but never hears that the last one committed.
  c.drop = [](const raftpb::Message& m) {
    return m.to() == 3 && (m.type() == raftpb::MSG_HEARTBEAT ||
                           (m.type() == raftpb::MSG_APPEND && m.entries_size() == 0));
  };
  for (int k = 0; k < 5; ++k) ASSERT_TRUE(c.Propose(1, "x").ok());
  LogIndex last = c.raft(3).log().LastIndex();
  // Build a snapshot chunk at node 3's last index, as a leader would.
  raftpb::Message m;
  m.set_type(raftpb::MSG_SNAPSHOT);
  m.set_from(1);
  m.set_to(3);
  m.set_term(1);
  m.mutable_snapshot()->set_index(last.value());
  m.mutable_snapshot()->set_term(1);
  for (int v = 1; v <= 3; ++v) m.mutable_snapshot()->mutable_conf_state()->add_voters(v);
  m.set_snapshot_data("whatever");
  m.set_snapshot_size(8);
  m.set_snapshot_crc32c(Crc32c(std::string("whatever")));
  m.set_snapshot_done(true);
  ASSERT_LT(c.raft(3).log().committed(), last);
  c.raft(3).Step(m);
  EXPECT_EQ(c.raft(3).log().committed(), last);
  c.ProcessReady(3);
  EXPECT_TRUE(c.node(3).installed.empty()) << "its log already had it";
}

TEST(SnapshotTest, RestartedNodeRecoversFromSnapshotAndLog) {
  TestCluster c(3);
  c.Elect(1);
  for (int k = 0; k < 5; ++k) ASSERT_TRUE(c.Propose(1, "a" + std::to_string(k)).ok());
  c.SnapshotAndCompact(2);
  ASSERT_TRUE(c.Propose(1, "b").ok());
  std::vector<std::string> want = AppliedData(c.node(2));
  c.Restart(2);
  c.Tick(1);
  EXPECT_EQ(AppliedData(c.node(2)), want);
}

}  // namespace
}  // namespace gregor::controller::raft
