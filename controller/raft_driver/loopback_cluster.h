// LoopbackCluster: N RaftNodes in one process, each with its own gRPC server
// on 127.0.0.1 (port picked by the OS), RaftService, RocksDB directory and a
// ListMachine. Kill() stops a node and its server as if the process died
// (its disk stays); Restart() brings it back on the same port. Used by the
// driver's tests and by raft_bench.
//
// Thread-safety: drive it from one thread.
#ifndef GREGOR_CONTROLLER_RAFT_DRIVER_LOOPBACK_CLUSTER_H_
#define GREGOR_CONTROLLER_RAFT_DRIVER_LOOPBACK_CLUSTER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "controller/raft_driver/raft_node.h"
#include "controller/raft_driver/raft_service.h"
#include "grpcpp/server.h"

namespace gregor::controller::raft_driver {

// A replicated list of strings (or, with keep_items = false, just a count
// and a running hash — for benchmarks).
class ListMachine : public StateMachine {
 public:
  explicit ListMachine(bool keep_items = true) : keep_items_(keep_items) {}
  void Apply(LogIndex index, std::string_view data) override;
  std::string Snapshot() override;
  absl::Status Restore(std::string_view data, LogIndex index) override;
  void OnLeaderChange(std::optional<NodeId> leader, Term term) override;

  std::vector<std::string> items() const;
  uint64_t applied_count() const;
  int restores() const;
  std::vector<std::optional<NodeId>> leader_changes() const;

 private:
  const bool keep_items_;
  mutable absl::Mutex mu_;
  std::vector<std::string> items_ ABSL_GUARDED_BY(mu_);
  uint64_t count_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t hash_ ABSL_GUARDED_BY(mu_) = 0;
  int restores_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::optional<NodeId>> leader_changes_ ABSL_GUARDED_BY(mu_);
};

// Polls `pred` every 10 ms until it holds or `limit` passes.
bool WaitFor(const std::function<bool()>& pred,
             std::chrono::milliseconds limit = std::chrono::seconds(30));

// A fresh directory under $TEST_TMPDIR (or `base`, or /tmp).
std::string NewTempDir(const std::string& prefix, const std::string& base = "");

class LoopbackCluster {
 public:
  struct Member {
    int id = 0;
    int port = 0;
    std::string dir;
    std::unique_ptr<RaftServiceImpl> service;
    std::unique_ptr<grpc::Server> server;
    std::unique_ptr<ListMachine> machine;
    std::unique_ptr<RaftNode> node;
  };

  // Nodes 1..n. `tweak` adjusts each node's options (defaults here: 20 ms
  // ticks, reconnect back-off up to 200 ms). `dir_base` hosts the data dirs.
  LoopbackCluster(int n, std::function<void(RaftNodeOptions&)> tweak = nullptr,
                  bool keep_items = true, std::string dir_base = "");
  ~LoopbackCluster();

  int size() const { return static_cast<int>(members_.size()) - 1; }
  Member& m(int id) { return members_[id]; }
  RaftNode& node(int id) { return *members_[id].node; }
  bool up(int id) const { return members_[id].node != nullptr; }

  void Kill(int id);
  void Restart(int id);

  // The leader every running node agrees on, or 0.
  int AgreedLeader();
  // Waits (up to `limit`) for an agreed leader; 0 on timeout.
  int WaitForLeader(std::chrono::milliseconds limit = std::chrono::seconds(30));
  // Proposes on node `id` and waits for the outcome.
  absl::StatusOr<LogIndex> Propose(int id, std::string data);
  // Proposes on whoever leads, retrying across elections; nullopt if it
  // never commits.
  std::optional<LogIndex> ProposeOnLeader(const std::string& data);

 private:
  void StartServer(Member& mem);
  void StartNode(int id);

  std::function<void(RaftNodeOptions&)> tweak_;
  bool keep_items_;
  std::vector<Member> members_;
};

}  // namespace gregor::controller::raft_driver

#endif  // GREGOR_CONTROLLER_RAFT_DRIVER_LOOPBACK_CLUSTER_H_
