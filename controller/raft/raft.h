// Raft: the pure consensus core — no threads, sockets, clocks or disk.
//
// Inputs: Tick() (the driver's timer), Step(message) (from peers),
// Propose(data), ReadIndex(context), TransferLeadership(to). Output: a Ready
// batch (types.h) that the driver persists, sends and applies before calling
// Advance(). The core reads its durable log through a read-only Storage.
//
// Implements the Raft paper and thesis (Ongaro 2014): leader election with
// randomized timeouts (§3.4), pre-vote (§9.6), check-quorum (§6.2), log
// replication with batching and pipelining (§10.2), conflict truncation with
// fast backtracking, commitment only of current-term entries via a no-op
// (§3.6.2, §6.4), snapshots and InstallSnapshot in chunks (§5), leadership
// transfer (§3.10) and read-index linearizable reads (§6.4).
//
// The implementation is split by topic: raft.cc (state, Step dispatch,
// Ready), election.cc, replication.cc, snapshot.cc, read_index.cc.
//
// Not thread-safe: the driver calls it from one thread.
#ifndef GREGOR_CONTROLLER_RAFT_RAFT_H_
#define GREGOR_CONTROLLER_RAFT_RAFT_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/raft/log.h"
#include "controller/raft/progress.h"
#include "controller/raft/storage.h"
#include "controller/raft/types.h"
#include "proto/raft.pb.h"

namespace gregor::controller::raft {

// Every limit has a default; Validate() refuses zeros.
struct Options {
  NodeId id;                    // >= 1
  std::vector<NodeId> voters;   // every voter, this node included; distinct, >= 1

  // Timing, in ticks. A follower campaigns after a randomized timeout in
  // [election_ticks, 2 * election_ticks); a leader heartbeats every
  // heartbeat_ticks. REQUIRES heartbeat_ticks < election_ticks.
  int election_ticks = 10;
  int heartbeat_ticks = 1;
  uint64_t random_seed = 1;     // seeds the election timeout randomization

  bool pre_vote = true;         // §9.6: a partitioned node cannot bump terms
  bool check_quorum = true;     // §6.2: a leader cut off from a quorum steps down

  size_t max_entry_bytes = 8u << 20;           // one proposal
  size_t max_uncommitted_bytes = 64u << 20;    // leader's uncommitted proposals
  size_t max_append_bytes = 1u << 20;          // entry bytes per MSG_APPEND
  size_t max_inflight_appends = 64;            // unacknowledged appends per follower
  size_t max_committed_bytes_per_ready = 16u << 20;
  size_t snapshot_chunk_bytes = 1u << 20;      // data bytes per MSG_SNAPSHOT
  size_t max_inflight_snapshot_chunks = 4;     // unacknowledged chunks per follower
  size_t max_snapshot_bytes = 1ull << 30;      // largest snapshot accepted
  size_t max_pending_reads = 10'000;           // read-index requests waiting

  absl::Status Validate() const;
};

// Replication state of one voter as the leader sees it (for status pages).
struct PeerProgress {
  NodeId id;
  LogIndex match;
  LogIndex next;
  ProgressState state;
  uint64_t ticks_since_contact = 0;
  bool ever_contacted = false;
};

class Raft {
 public:
  // Builds a node from what `storage` holds (a fresh node on an empty
  // storage, a restarted one otherwise). InvalidArgument for bad options,
  // DataLoss when the stored state is inconsistent (commit beyond the log,
  // a snapshot whose voters differ from options.voters).
  // `storage` must outlive the Raft.
  static absl::StatusOr<std::unique_ptr<Raft>> Create(Options options, const Storage* storage);

  // --- inputs ---------------------------------------------------------------
  // Advances logical time by one tick.
  void Tick();
  // Handles a message from a peer. Messages from non-voters or addressed to
  // another node are ignored. Never fails: bad or stale messages are dropped.
  void Step(const raftpb::Message& m);
  // Appends a normal entry (leader only). FailedPrecondition when not leader
  // or during a leadership transfer; InvalidArgument when larger than
  // max_entry_bytes; ResourceExhausted beyond max_uncommitted_bytes.
  absl::StatusOr<Proposal> Propose(std::string data);
  // Starts a linearizable read; a ReadState with `context` appears in a later
  // Ready. FailedPrecondition when no leader is known; ResourceExhausted
  // beyond max_pending_reads. Requests may be dropped silently when the
  // leader changes: the driver times them out.
  absl::Status ReadIndex(std::string context);
  // Leader only: hands leadership to `to` (FailedPrecondition when not
  // leader, InvalidArgument when `to` is not another voter). Aborted after
  // an election timeout without success.
  absl::Status TransferLeadership(NodeId to);
  // Campaigns now (as if the election timer fired). For tests.
  void Campaign();

  // --- output ---------------------------------------------------------------
  bool HasReady() const;
  // REQUIRES: HasReady(); no other call on this Raft until Advance().
  Ready GetReady();
  // The driver has done everything `ready` asked.
  void Advance(const Ready& ready);

  // --- introspection ----------------------------------------------------------
  NodeId id() const { return options_.id; }
  Role role() const { return role_; }
  Term term() const { return term_; }
  NodeId vote() const { return vote_; }
  NodeId leader() const { return leader_; }
  NodeId transfer_target() const { return transfer_target_; }
  const RaftLog& log() const { return log_; }
  const Options& options() const { return options_; }
  HardState hard_state() const { return HardState{term_, vote_, log_.committed()}; }
  // Progress of every voter (leader only; empty otherwise).
  std::vector<PeerProgress> Progresses() const;
  // Whether the leader has committed an entry of its own term yet.
  bool CommittedInCurrentTerm() const;
  size_t pending_read_count() const { return pending_reads_.size() + reads_before_commit_.size(); }

 private:
  struct PendingRead {
    uint64_t seq = 0;     // heartbeat round that confirms it
    LogIndex index;       // commit index when it arrived
    std::string context;
    NodeId from;          // who asked (this node or a follower)
  };
  enum class CampaignKind { kPreVote, kVote, kTransfer };

  Raft(Options options, const Storage* storage);

  // raft.cc
  void Send(raftpb::Message m);
  raftpb::Message NewMessage(raftpb::MessageType type, NodeId to) const;
  void Reset(Term term);
  void BecomeFollower(Term term, NodeId leader);
  void BecomePreCandidate();
  void BecomeCandidate();
  void BecomeLeader();
  void StepLeader(const raftpb::Message& m);
  void StepCandidate(const raftpb::Message& m);
  void StepFollower(const raftpb::Message& m);
  bool HandleTermOf(const raftpb::Message& m);  // false: message consumed
  uint64_t NextRandom();
  void ResetRandomizedElectionTimeout();

  // election.cc
  void TickElection();
  void TickHeartbeat();
  void StartCampaign(CampaignKind kind);
  void HandleVoteRequest(const raftpb::Message& m);
  void HandleVoteResponse(const raftpb::Message& m);
  bool InLease() const;
  void HandleTimeoutNow(const raftpb::Message& m);
  void SendTimeoutNow(NodeId to);

  // replication.cc
  void AppendEntries(std::vector<raftpb::Entry> entries);
  bool SendAppend(NodeId to, bool send_if_empty);
  void BroadcastAppend(bool send_if_empty);
  void SendHeartbeat(NodeId to);
  void BroadcastHeartbeat();
  void HandleAppend(const raftpb::Message& m);
  void HandleAppendResponse(const raftpb::Message& m);
  void HandleHeartbeat(const raftpb::Message& m);
  void HandleHeartbeatResponse(const raftpb::Message& m);
  bool MaybeCommit();
  void OnCommitAdvanced(LogIndex old_commit);

  // snapshot.cc
  bool StartSnapshot(NodeId to);
  void SendSnapshotChunks(NodeId to);
  void HandleSnapshotChunk(const raftpb::Message& m);
  void HandleSnapshotResponse(const raftpb::Message& m);
  bool Restore(raftpb::Snapshot snapshot);

  // read_index.cc
  void HandleReadIndexRequest(NodeId from, std::string context);
  void ConfirmReads();
  void ReleaseRead(PendingRead read);
  void HandleReadIndexResponse(const raftpb::Message& m);
  void OnFirstCommitInTerm();

  Options options_;
  const Storage* storage_;
  RaftLog log_;
  ProgressTracker tracker_;

  Term term_;
  NodeId vote_ = kNoNode;
  NodeId leader_ = kNoNode;
  Role role_ = Role::kFollower;

  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  int randomized_election_timeout_ = 0;
  uint64_t rng_state_;

  NodeId transfer_target_ = kNoNode;
  // Leader: (index, bytes) of its uncommitted proposals, oldest first.
  std::deque<std::pair<LogIndex, size_t>> uncommitted_;
  size_t uncommitted_bytes_ = 0;

  // Read-index state (leader).
  uint64_t read_seq_ = 0;
  std::deque<PendingRead> pending_reads_;
  std::deque<PendingRead> reads_before_commit_;

  // A snapshot being received from the leader, chunk by chunk.
  struct IncomingSnapshot {
    raftpb::SnapshotMetadata metadata;
    uint64_t size = 0;
    uint32_t crc32c = 0;
    std::string data;
  };
  std::optional<IncomingSnapshot> incoming_snapshot_;

  // Output not yet handed out.
  std::vector<raftpb::Message> msgs_;
  std::vector<ReadState> read_states_;
  SoftState prev_soft_;
  HardState prev_hard_;
  bool ready_outstanding_ = false;
  // Deferred to GetReady so that a burst of proposals / reads goes out as
  // one append per follower / one heartbeat round.
  bool append_pending_ = false;
  bool read_heartbeat_pending_ = false;
};

}  // namespace gregor::controller::raft

#endif  // GREGOR_CONTROLLER_RAFT_RAFT_H_
