// TestCluster: a few Raft cores wired together in one test, delivering
// messages synchronously until the cluster is quiet, with hooks to drop or
// inspect messages. For the targeted unit tests; the randomized simulation
// (sim_*.h) uses its own event-driven network.
//
// Each node persists its Ready into a MemoryStorage (its "disk"), applies
// committed entries into `applied`, and keeps read states. Restart() rebuilds
// a node's core from its storage, losing nothing that was persisted.
#ifndef GREGOR_CONTROLLER_RAFT_TEST_CLUSTER_H_
#define GREGOR_CONTROLLER_RAFT_TEST_CLUSTER_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "controller/raft/raft.h"
#include "controller/raft/storage.h"

namespace gregor::controller::raft::testing {

struct TestNode {
  std::unique_ptr<MemoryStorage> storage;
  std::unique_ptr<Raft> raft;
  std::vector<raftpb::Entry> applied;         // committed entries applied, in order
  std::vector<ReadState> read_states;
  std::vector<raftpb::Snapshot> installed;    // snapshots received and installed
  // The "state machine": data of every applied normal entry, in order
  // (restored from snapshots, which store it joined by '\n').
  std::vector<std::string> state;
};

class TestCluster {
 public:
  // Nodes 1..n. `tweak` adjusts each node's Options (defaults: election 10
  // ticks, heartbeat 1, pre-vote and check-quorum on, seed = id).
  explicit TestCluster(int n, std::function<void(Options&)> tweak = nullptr);

  Raft& raft(int id) { return *nodes_.at(id).raft; }
  TestNode& node(int id) { return nodes_.at(id); }
  MemoryStorage& storage(int id) { return *nodes_.at(id).storage; }
  std::vector<int> ids() const;

  // Persists, applies and queues the messages of one node's Ready, if any.
  void ProcessReady(int id);
  // Delivers queued messages and processes Readys until nothing moves.
  // Messages for which `drop` returns true (and those cut by Isolate/Cut)
  // are discarded. Returns the number of messages delivered.
  int Stabilize();

  // Ticks `id` `n` times (stabilizing after each tick).
  void Tick(int id, int n = 1);
  // Ticks every node `n` times.
  void TickAll(int n = 1);
  // Makes `id` campaign and stabilizes. Returns the resulting role of `id`.
  Role Campaign(int id);
  // Elects `id` and waits until its no-op is committed everywhere reachable.
  void Elect(int id);
  absl::StatusOr<Proposal> Propose(int id, std::string data);

  // Fault injection.
  void Isolate(int id);            // cut every link to and from id
  void Cut(int from, int to);      // one-way
  void Heal();                     // restore every link, clear the drop filter
  std::function<bool(const raftpb::Message&)> drop;  // extra filter
  std::function<void(raftpb::Message&)> mutate;      // may alter a message in flight
  // Sees every Ready a node processes (before Advance).
  std::function<void(int id, const Ready&)> on_ready;
  // Whether Isolate/Cut or `drop` discards `m`.
  bool Dropped(const raftpb::Message& m) const;
  // Every message delivered (after filtering), for assertions.
  std::vector<raftpb::Message> delivered;
  bool record = false;

  // Crash and restart `id` from its storage (unpersisted state is lost; in
  // this harness every Ready is persisted as soon as it is produced).
  void Restart(int id);
  // Replaces a node's storage content before its core exists: used to build
  // specific logs. Call before anything else for that node.
  void SetLog(int id, const std::vector<std::pair<uint64_t, uint64_t>>& index_term,
              uint64_t term, uint64_t vote = 0);
  // Takes a snapshot of `id`'s applied state at its applied index and
  // compacts its log up to `compact_to` (default: the snapshot index).
  void SnapshotAndCompact(int id, uint64_t compact_to = 0);

  // The leader among the nodes (0 if none or several).
  int Leader() const;

  // Messages queued for delivery (not yet delivered).
  std::deque<raftpb::Message>& queue() { return queue_; }

 private:
  void Rebuild(int id);

  std::function<void(Options&)> tweak_;
  int n_;
  std::map<int, TestNode> nodes_;
  std::set<std::pair<int, int>> cut_;
  std::deque<raftpb::Message> queue_;
};

// Data of an applied normal entry list, for compact assertions.
std::vector<std::string> AppliedData(const TestNode& node);

}  // namespace gregor::controller::raft::testing

#endif  // GREGOR_CONTROLLER_RAFT_TEST_CLUSTER_H_
