// Three RaftNodes in one process over real gRPC on loopback, each with its
// own RocksDB directory: election, replication, failover, restart from disk,
// snapshots for a lagging node, reads and leadership transfer.
//
// Waits poll for a condition with a generous deadline (a hang is a failure,
// a slow machine is not); nothing asserts on durations.
#include <chrono>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "controller/raft_driver/loopback_cluster.h"
#include "controller/raft_driver/raft_node.h"
#include "controller/raft_driver/raft_service.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace gregor::controller::raft_driver {
namespace {

using namespace std::chrono_literals;

using Cluster = LoopbackCluster;

std::string NewDir() { return NewTempDir("raftnode"); }

// Commits `data`, failing the test if it never does.
LogIndex MustCommit(Cluster& c, const std::string& data) {
  std::optional<LogIndex> index = c.ProposeOnLeader(data);
  EXPECT_TRUE(index.has_value()) << "could not commit " << data;
  return index.value_or(LogIndex(0));
}

TEST(RaftNodeTest, ElectsALeaderAndReplicatesACommittedProposal) {
  Cluster c(3);
  int leader = c.WaitForLeader();
  ASSERT_NE(leader, 0) << "no leader elected";
  absl::StatusOr<LogIndex> index = c.Propose(leader, "hello");
  ASSERT_TRUE(index.ok()) << index.status();
  // Applied on the leader by the time the callback runs.
  EXPECT_EQ(c.m(leader).machine->items(), std::vector<std::string>{"hello"});
  for (int id = 1; id <= 3; ++id) {
    EXPECT_TRUE(WaitFor([&] { return c.m(id).machine->items().size() == 1; })) << id;
  }
  NodeStatus s = c.node(leader).Status();
  EXPECT_EQ(s.role, Role::kLeader);
  EXPECT_GE(s.commit_index, *index);
  ASSERT_EQ(s.peers.size(), 2u);
  for (const PeerStatus& p : s.peers) {
    EXPECT_TRUE(WaitFor([&] {
      for (const PeerStatus& q : c.node(leader).Status().peers) {
        if (q.id == p.id) return q.match_index >= *index;
      }
      return false;
    }));
  }
  // The state machine learned who leads.
  EXPECT_FALSE(c.m(leader).machine->leader_changes().empty());
  EXPECT_EQ(c.m(leader).machine->leader_changes().back(), NodeId(leader));
}

TEST(RaftNodeTest, ProposalOnAFollowerIsRefused) {
  Cluster c(3);
  int leader = c.WaitForLeader();
  int follower = leader % 3 + 1;
  absl::StatusOr<LogIndex> r = c.Propose(follower, "x");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
}

TEST(RaftNodeTest, NewLeaderCommitsAfterLeaderStopsAndOldLeaderCatchesUpFromDisk) {
  Cluster c(3);
  for (int k = 0; k < 5; ++k) MustCommit(c, "before" + std::to_string(k));
  int old_leader = c.WaitForLeader();
  LogIndex old_last = c.node(old_leader).Status().last_index;
  c.Kill(old_leader);

  int new_leader = c.WaitForLeader();
  ASSERT_NE(new_leader, 0);
  EXPECT_NE(new_leader, old_leader);
  MustCommit(c, "after");

  c.Restart(old_leader);
  // Restored from RocksDB before hearing from anyone.
  EXPECT_GE(c.node(old_leader).Status().last_index, old_last);
  std::vector<std::string> want = {"before0", "before1", "before2", "before3", "before4", "after"};
  EXPECT_TRUE(WaitFor([&] { return c.m(old_leader).machine->items() == want; }))
      << "old leader did not catch up";
  for (int id = 1; id <= 3; ++id) {
    EXPECT_TRUE(WaitFor([&] { return c.m(id).machine->items() == want; })) << id;
  }
}

TEST(RaftNodeTest, LaggingNodeIsCaughtUpWithASnapshot) {
  Cluster c(3, [](RaftNodeOptions& o) {
    o.snapshot_every_entries = 10;
    o.compaction_keep_entries = 2;
    o.snapshot_chunk_bytes = 64;  // several InstallSnapshot chunks
  });
  int leader = c.WaitForLeader();
  int lagging = leader % 3 + 1;
  c.Kill(lagging);
  std::vector<std::string> want;
  for (int k = 0; k < 40; ++k) {
    want.push_back("entry-" + std::to_string(k));
    MustCommit(c, want.back());
  }
  leader = c.WaitForLeader();
  ASSERT_GT(c.node(leader).Status().snapshot_index, LogIndex(20));
  absl::StatusOr<StoredSnapshot> snap = c.node(leader).LatestSnapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(c.node(leader).ReadCommitted(LogIndex(1), 1 << 20).status().code(),
            absl::StatusCode::kOutOfRange);

  c.Restart(lagging);
  EXPECT_TRUE(WaitFor([&] { return c.m(lagging).machine->items() == want; }));
  EXPECT_GE(c.m(lagging).machine->restores(), 1) << "caught up from the log, not a snapshot";
  EXPECT_GT(c.node(lagging).Status().snapshot_index, LogIndex(0));
}

TEST(RaftNodeTest, RestartedClusterRecoversEveryCommittedEntry) {
  std::vector<std::string> want;
  Cluster c(3, [](RaftNodeOptions& o) { o.snapshot_every_entries = 7; });
  for (int k = 0; k < 12; ++k) {
    want.push_back("e" + std::to_string(k));
    MustCommit(c, want.back());
  }
  for (int id = 1; id <= 3; ++id) c.Kill(id);
  for (int id = 1; id <= 3; ++id) c.Restart(id);
  // Every node rebuilds the state from its snapshot and log on disk.
  for (int id = 1; id <= 3; ++id) {
    EXPECT_TRUE(WaitFor([&] { return c.m(id).machine->items() == want; })) << id;
  }
  MustCommit(c, "more");
}

TEST(RaftNodeTest, ReadIndexOnLeaderAndFollowerSeesCommittedWrites) {
  Cluster c(3);
  LogIndex written = MustCommit(c, "w");
  int leader = c.WaitForLeader();
  for (int id = 1; id <= 3; ++id) {
    auto promise = std::make_shared<std::promise<absl::StatusOr<LogIndex>>>();
    std::future<absl::StatusOr<LogIndex>> f = promise->get_future();
    c.node(id).ReadIndex([promise](absl::StatusOr<LogIndex> r) { promise->set_value(r); });
    ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
    absl::StatusOr<LogIndex> r = f.get();
    ASSERT_TRUE(r.ok()) << "node " << id << " (leader " << leader << "): " << r.status();
    EXPECT_GE(*r, written);
    EXPECT_EQ(c.m(id).machine->items(), std::vector<std::string>{"w"}) << id;
  }
}

TEST(RaftNodeTest, LeadershipTransferMovesTheLeader) {
  Cluster c(3);
  MustCommit(c, "a");
  int leader = c.WaitForLeader();
  int target = leader % 3 + 1;
  auto promise = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> f = promise->get_future();
  c.node(leader).TransferLeadership(NodeId(target), [promise](absl::Status s) { promise->set_value(s); });
  ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
  absl::Status s = f.get();
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_TRUE(WaitFor([&] { return c.AgreedLeader() == target; }));
  ASSERT_TRUE(c.Propose(target, "b").ok());
}

TEST(RaftNodeTest, ReadCommittedServesTheLogInOrder) {
  Cluster c(3);
  MustCommit(c, "a");
  MustCommit(c, "b");
  int leader = c.WaitForLeader();
  absl::StatusOr<std::vector<CommittedEntry>> ents = c.node(leader).ReadCommitted(LogIndex(1), 1 << 20);
  ASSERT_TRUE(ents.ok()) << ents.status();
  std::vector<std::string> data;
  for (const CommittedEntry& e : *ents) {
    if (!e.is_noop) data.push_back(e.data);
  }
  EXPECT_EQ(data, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(ents->front().is_noop);
}

TEST(RaftNodeTest, BadOptionsAreRefused) {
  RaftServiceImpl svc;
  ListMachine m;
  RaftNodeOptions o;
  o.id = NodeId(4);
  o.voters = {{NodeId(1), "a:1"}, {NodeId(2), "b:1"}};
  o.data_dir = NewDir();
  EXPECT_EQ(RaftNode::Open(o, &m, &svc).status().code(), absl::StatusCode::kInvalidArgument);
  o.voters.push_back({NodeId(4), ""});
  o.voters.push_back({NodeId(2), "c:1"});
  EXPECT_EQ(RaftNode::Open(o, &m, &svc).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RaftNodeTest, UnresolvableOrDownPeersDoNotStopASingleReachableMajority) {
  // Node 3's address never resolves; 1 and 2 still form a quorum.
  Cluster c(2, [](RaftNodeOptions& o) {
    o.voters.push_back(Peer{NodeId(3), "no-such-host.invalid:1"});
  });
  MustCommit(c, "x");
  int leader = c.WaitForLeader();
  EXPECT_TRUE(WaitFor([&] { return c.m(leader % 2 + 1).machine->items().size() == 1; }));
}

}  // namespace
}  // namespace gregor::controller::raft_driver
