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
#include "controller/raft_driver/raft_node.h"
#include "controller/raft_driver/raft_service.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace gregor::controller::raft_driver {
namespace {

using namespace std::chrono_literals;

// A replicated list of strings.
class ListMachine : public StateMachine {
 public:
  void Apply(LogIndex index, std::string_view data) override {
    absl::MutexLock l(&mu_);
    items_.emplace_back(data);
    last_ = index;
  }
  std::string Snapshot() override {
    absl::MutexLock l(&mu_);
    std::string out;
    for (const std::string& s : items_) out += std::to_string(s.size()) + ":" + s;
    return out;
  }
  absl::Status Restore(std::string_view data, LogIndex index) override {
    std::vector<std::string> items;
    size_t pos = 0;
    while (pos < data.size()) {
      size_t colon = data.find(':', pos);
      if (colon == std::string_view::npos) return absl::DataLossError("bad snapshot");
      size_t n = std::stoul(std::string(data.substr(pos, colon - pos)));
      items.emplace_back(data.substr(colon + 1, n));
      pos = colon + 1 + n;
    }
    absl::MutexLock l(&mu_);
    items_ = std::move(items);
    last_ = index;
    ++restores_;
    return absl::OkStatus();
  }
  void OnLeaderChange(std::optional<NodeId> leader, Term term) override {
    absl::MutexLock l(&mu_);
    leader_changes_.push_back(leader);
  }

  std::vector<std::string> items() const {
    absl::MutexLock l(&mu_);
    return items_;
  }
  int restores() const {
    absl::MutexLock l(&mu_);
    return restores_;
  }
  std::vector<std::optional<NodeId>> leader_changes() const {
    absl::MutexLock l(&mu_);
    return leader_changes_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> items_;
  LogIndex last_;
  int restores_ = 0;
  std::vector<std::optional<NodeId>> leader_changes_;
};

bool WaitFor(const std::function<bool()>& pred, std::chrono::seconds limit = 30s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

std::string NewDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/raftnode.XXXXXX";
  EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
  return tmpl;
}

// One controller "process": gRPC server + RaftService + RaftNode + machine.
struct Member {
  int id = 0;
  int port = 0;
  std::string dir;
  std::unique_ptr<RaftServiceImpl> service;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<ListMachine> machine;
  std::unique_ptr<RaftNode> node;
};

class Cluster {
 public:
  explicit Cluster(int n, std::function<void(RaftNodeOptions&)> tweak = nullptr)
      : tweak_(std::move(tweak)) {
    members_.resize(n + 1);
    for (int i = 1; i <= n; ++i) {
      members_[i].id = i;
      members_[i].dir = NewDir();
      StartServer(members_[i]);
    }
    for (int i = 1; i <= n; ++i) StartNode(i);
  }
  ~Cluster() {
    for (size_t i = 1; i < members_.size(); ++i) Kill(static_cast<int>(i));
  }

  Member& m(int id) { return members_[id]; }
  RaftNode& node(int id) { return *members_[id].node; }
  bool up(int id) const { return members_[id].node != nullptr; }

  // Stops node and server, as if the process died (the disk stays).
  void Kill(int id) {
    Member& mem = members_[id];
    if (mem.node) mem.node->Stop();
    mem.node.reset();
    if (mem.server) mem.server->Shutdown(std::chrono::system_clock::now() + 1s);
    mem.server.reset();
  }

  void Restart(int id) {
    StartServer(members_[id]);
    StartNode(id);
  }

  // The leader every running node agrees on (0 while they do not).
  int AgreedLeader() {
    int leader = 0;
    for (size_t i = 1; i < members_.size(); ++i) {
      if (!up(static_cast<int>(i))) continue;
      std::optional<NodeId> l = node(static_cast<int>(i)).Leader();
      if (!l) return 0;
      if (leader != 0 && leader != l->value()) return 0;
      leader = l->value();
    }
    if (leader == 0 || !up(leader) || !node(leader).IsLeader()) return 0;
    return leader;
  }

  int WaitForLeader() {
    int leader = 0;
    EXPECT_TRUE(WaitFor([&] { return (leader = AgreedLeader()) != 0; })) << "no leader elected";
    return leader;
  }

  absl::StatusOr<LogIndex> Propose(int id, std::string data) {
    auto promise = std::make_shared<std::promise<absl::StatusOr<LogIndex>>>();
    std::future<absl::StatusOr<LogIndex>> f = promise->get_future();
    node(id).Propose(std::move(data), [promise](absl::StatusOr<LogIndex> r) { promise->set_value(r); });
    if (f.wait_for(30s) != std::future_status::ready) return absl::DeadlineExceededError("hung");
    return f.get();
  }

  // Proposes on whoever leads, retrying across elections.
  LogIndex ProposeOnLeader(const std::string& data) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      int leader = WaitForLeader();
      if (leader == 0) break;
      absl::StatusOr<LogIndex> r = Propose(leader, data);
      if (r.ok()) return *r;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "could not commit " << data;
    return LogIndex(0);
  }

 private:
  void StartServer(Member& mem) {
    mem.service = std::make_unique<RaftServiceImpl>();
    grpc::ServerBuilder b;
    ConfigureRaftServer(&b);
    int selected = 0;
    b.AddListeningPort("127.0.0.1:" + std::to_string(mem.port), grpc::InsecureServerCredentials(),
                       &selected);
    b.RegisterService(mem.service.get());
    mem.server = b.BuildAndStart();
    ASSERT_NE(mem.server, nullptr);
    ASSERT_NE(selected, 0);
    mem.port = selected;
  }

  void StartNode(int id) {
    Member& mem = members_[id];
    RaftNodeOptions o;
    o.id = NodeId(id);
    for (size_t i = 1; i < members_.size(); ++i) {
      o.voters.push_back(Peer{NodeId(static_cast<int32_t>(i)),
                              "127.0.0.1:" + std::to_string(members_[i].port)});
    }
    o.data_dir = mem.dir;
    o.tick_interval = 20ms;
    o.reconnect_backoff_max = 200ms;
    if (tweak_) tweak_(o);
    mem.machine = std::make_unique<ListMachine>();
    absl::StatusOr<std::unique_ptr<RaftNode>> node = RaftNode::Open(o, mem.machine.get(), mem.service.get());
    ASSERT_TRUE(node.ok()) << node.status();
    mem.node = std::move(*node);
    ASSERT_TRUE(mem.node->Start().ok());
  }

  std::function<void(RaftNodeOptions&)> tweak_;
  std::vector<Member> members_;
};

TEST(RaftNodeTest, ElectsALeaderAndReplicatesACommittedProposal) {
  Cluster c(3);
  int leader = c.WaitForLeader();
  ASSERT_NE(leader, 0);
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
  for (int k = 0; k < 5; ++k) c.ProposeOnLeader("before" + std::to_string(k));
  int old_leader = c.WaitForLeader();
  LogIndex old_last = c.node(old_leader).Status().last_index;
  c.Kill(old_leader);

  int new_leader = c.WaitForLeader();
  ASSERT_NE(new_leader, 0);
  EXPECT_NE(new_leader, old_leader);
  c.ProposeOnLeader("after");

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
    c.ProposeOnLeader(want.back());
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
    c.ProposeOnLeader(want.back());
  }
  for (int id = 1; id <= 3; ++id) c.Kill(id);
  for (int id = 1; id <= 3; ++id) c.Restart(id);
  // Every node rebuilds the state from its snapshot and log on disk.
  for (int id = 1; id <= 3; ++id) {
    EXPECT_TRUE(WaitFor([&] { return c.m(id).machine->items() == want; })) << id;
  }
  c.ProposeOnLeader("more");
}

TEST(RaftNodeTest, ReadIndexOnLeaderAndFollowerSeesCommittedWrites) {
  Cluster c(3);
  LogIndex written = c.ProposeOnLeader("w");
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
  c.ProposeOnLeader("a");
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
  c.ProposeOnLeader("a");
  c.ProposeOnLeader("b");
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
  c.ProposeOnLeader("x");
  int leader = c.WaitForLeader();
  EXPECT_TRUE(WaitFor([&] { return c.m(leader % 2 + 1).machine->items().size() == 1; }));
}

}  // namespace
}  // namespace gregor::controller::raft_driver
