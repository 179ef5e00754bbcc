// RaftNodeImpl: the machinery behind RaftNode (raft_node.h). One thread runs
// the loop
//
//   wait for input or the next tick
//   -> Tick / Step / Propose / ReadIndex / TransferLeadership into the core
//   -> for each Ready: persist (LogStore, synced) -> mirror into MemoryStorage
//      -> send (Transport) -> install snapshot, apply entries (StateMachine)
//      -> complete callbacks -> Advance -> snapshot + compact every N entries
//   -> publish NodeStatus
//
// Every batch of inputs gathered in one turn is persisted with one fsync
// (group commit).
//
// Thread-safety: the public methods are thread-safe; everything not guarded
// by mu_ or status_mu_ belongs to the node thread.
#ifndef GREGOR_CONTROLLER_RAFT_DRIVER_RAFT_NODE_IMPL_H_
#define GREGOR_CONTROLLER_RAFT_DRIVER_RAFT_NODE_IMPL_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "controller/raft/raft.h"
#include "controller/raft/storage.h"
#include "controller/raft_driver/log_store.h"
#include "controller/raft_driver/raft_node.h"
#include "controller/raft_driver/raft_service.h"
#include "controller/raft_driver/transport.h"

namespace gregor::controller::raft_driver {

// InvalidArgument when the options cannot work.
absl::Status ValidateOptions(const RaftNodeOptions& o);

class RaftNodeImpl final : public InboundHandler {
 public:
  RaftNodeImpl(RaftNodeOptions options, StateMachine* sm, RaftServiceImpl* service);
  ~RaftNodeImpl() override;

  // Opens the store, restores the state machine, builds the core.
  absl::Status Init();
  absl::Status Start();
  void Stop();

  void Propose(std::string data, ProposeCallback done);
  void ReadIndex(ReadCallback done);
  void TransferLeadership(NodeId to, DoneCallback done);
  NodeStatus Status() const;
  absl::StatusOr<std::vector<CommittedEntry>> ReadCommitted(LogIndex from, size_t max_bytes) const;
  absl::StatusOr<StoredSnapshot> LatestSnapshot() const;
  const RaftNodeOptions& options() const { return options_; }

  // InboundHandler.
  absl::Status Deliver(raftpb::MessageBatch batch) override;

 private:
  using Clock_ = std::chrono::steady_clock;
  using Deferred = std::vector<absl::AnyInvocable<void()>>;

  struct InputProposal {
    std::string data;
    ProposeCallback done;
    absl::Status refuse;  // not OK: fail with this instead of proposing
  };
  struct InputTransfer {
    NodeId to;
    DoneCallback done;
  };
  struct PendingProposal {
    Term term;
    ProposeCallback done;
  };
  struct PendingRead {
    ReadCallback done;
    Clock_::time_point deadline;
  };
  struct TransferWaiter {
    NodeId to;
    DoneCallback done;
    Clock_::time_point deadline;
  };

  void Loop();
  bool HasInput() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void HandleInputs(std::vector<raftpb::Message>& inbound, std::vector<InputProposal>& proposals,
                    std::vector<ReadCallback>& reads, std::vector<InputTransfer>& transfers,
                    Deferred& deferred);
  void HandleReady(Deferred& deferred);
  void ApplyEntry(const raftpb::Entry& e, bool& own_noop_applied, Deferred& deferred);
  void ServeReads(Deferred& deferred);
  void OnSoftState(const raft::SoftState& soft, Deferred& deferred);
  void ReportLeader(std::optional<NodeId> leader);
  void MaybeSnapshot();
  void ExpireWaiters(Clock_::time_point now, Deferred& deferred);
  void FailAll(const absl::Status& status, Deferred& deferred);
  void Fail(const absl::Status& status, Deferred& deferred);
  void PublishStatus();
  Clock_::duration ElectionTimeout() const;

  const RaftNodeOptions options_;
  Clock* const clock_;
  StateMachine* const sm_;
  RaftServiceImpl* const service_;
  const size_t max_inbound_;

  // Inputs, handed from callers to the node thread.
  mutable absl::Mutex mu_;
  std::vector<raftpb::Message> inbound_ ABSL_GUARDED_BY(mu_);
  std::vector<InputProposal> proposals_in_ ABSL_GUARDED_BY(mu_);
  std::vector<ReadCallback> reads_in_ ABSL_GUARDED_BY(mu_);
  std::vector<InputTransfer> transfers_in_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<size_t> pending_proposals_{0};
  std::atomic<size_t> pending_reads_count_{0};

  // Node-thread state.
  std::thread thread_;
  std::unique_ptr<LogStore> store_;
  raft::MemoryStorage mem_;
  std::unique_ptr<raft::Raft> raft_;
  std::unique_ptr<Transport> transport_;
  std::map<LogIndex, PendingProposal> proposals_;
  std::map<uint64_t, PendingRead> reads_;                 // by context id
  std::multimap<LogIndex, ReadCallback> reads_to_apply_;  // confirmed
  std::vector<TransferWaiter> transfers_;
  LogIndex applied_;
  uint64_t next_read_id_ = 0;
  bool failed_ = false;
  NodeId seen_leader_;  // leader and term at the last Ready
  Term seen_term_;
  bool reported_ = false;
  std::optional<NodeId> reported_leader_;
  Term reported_term_;

  // Published state.
  mutable absl::Mutex status_mu_;
  NodeStatus status_ ABSL_GUARDED_BY(status_mu_);
};

}  // namespace gregor::controller::raft_driver

#endif  // GREGOR_CONTROLLER_RAFT_DRIVER_RAFT_NODE_IMPL_H_
