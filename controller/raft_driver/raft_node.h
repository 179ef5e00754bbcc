// RaftNode: one member of the controller quorum. It runs the pure Raft core
// (controller/raft/) on its own thread, keeps the log, hard state and
// snapshots in RocksDB (synced before it votes or acknowledges an append),
// talks to its peers over the gRPC RaftService, and applies committed entries
// to a StateMachine that the metadata controller implements.
//
// Typical use (gregor-controller's main):
//
//   RaftServiceImpl raft_service;                 // controller/raft_driver/raft_service.h
//   grpc::ServerBuilder builder;
//   builder.RegisterService(&raft_service);       // next to ControllerService
//   ... BuildAndStart ...
//   ASSIGN_OR_RETURN(auto node, RaftNode::Open(options, &state_machine, &raft_service));
//   RETURN_IF_ERROR(node->Start());
//   node->Propose(record_bytes, [](absl::StatusOr<LogIndex> r) { ... });
//   ...
//   node->TransferLeadership(other, ...);         // clean shutdown
//   node->Stop();
//
// Thread-safety: every public method is thread-safe and non-blocking unless
// it says otherwise (Open, Start and Stop block). Callbacks and StateMachine
// methods run on the node's own thread, one at a time, with no RaftNode lock
// held — they may call back into RaftNode (e.g. Propose from Apply), but must
// not block for long: while they run, the node neither ticks nor replicates.
#ifndef GREGOR_CONTROLLER_RAFT_DRIVER_RAFT_NODE_H_
#define GREGOR_CONTROLLER_RAFT_DRIVER_RAFT_NODE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/strong_int.h"

namespace gregor::controller::raft_driver {

class RaftServiceImpl;  // controller/raft_driver/raft_service.h
class RaftNodeImpl;

// What the metadata controller implements. All methods are called on the
// node's thread, serially, never concurrently with each other.
class StateMachine {
 public:
  virtual ~StateMachine() = default;

  // Applies the committed entry at `index`. Called exactly once per committed
  // ENTRY_NORMAL entry per process lifetime, in strictly increasing index
  // order, after the entry is durable on a quorum. Indexes may have gaps: the
  // no-op entry each new leader appends is not passed here. After a restart
  // the node calls Restore(latest snapshot) and then Apply for every
  // committed entry after it, so Apply must be deterministic.
  virtual void Apply(LogIndex index, std::string_view data) = 0;

  // Returns the state as of the last applied entry (everything passed to
  // Apply so far). Called every `snapshot_every_entries` applied entries; the
  // result is stored and later passed to Restore, possibly on another node.
  virtual std::string Snapshot() = 0;

  // Replaces the whole state with `data` (a result of Snapshot() on some
  // node) taken at `index`. Called at start-up when a snapshot exists on disk
  // and when the leader sends one because this node lagged too far behind.
  // An error on start-up fails Open(); later it is fatal (the node cannot
  // continue without a state machine it can trust).
  virtual absl::Status Restore(std::string_view data, LogIndex index) = 0;

  // Leadership news. `leader` is std::nullopt while no leader is known.
  // When this node itself becomes leader, the call is made only once the
  // no-op of its term has been applied: by then every entry committed in an
  // earlier term has been passed to Apply, so the controller may start
  // issuing records from a complete state. Calls come in order with Apply.
  virtual void OnLeaderChange(std::optional<NodeId> leader, Term term) {}
};

// One voter of the quorum.
struct Peer {
  NodeId id;            // >= 1
  std::string address;  // host:port of its RaftService
};

struct RaftNodeOptions {
  // This node's id (>= 1; 0 means "none" on the Raft wire).
  NodeId id;
  // Every voter, this node included. Ids must be distinct. Fixed for now
  // (membership changes are future work); stored in snapshots.
  std::vector<Peer> voters;
  // RocksDB directory; created when missing.
  std::string data_dir;
  // Time source for ticks and timeouts; nullptr = Clock::Real(). Not owned.
  Clock* clock = nullptr;

  // --- timing ---------------------------------------------------------------
  // One core tick. Election timeout = election_ticks * tick_interval,
  // randomized in [1x, 2x); heartbeats every heartbeat_ticks.
  std::chrono::milliseconds tick_interval{50};
  int election_ticks = 10;  // 500 ms .. 1 s with the default tick
  int heartbeat_ticks = 1;  // 50 ms
  // Seed for the randomized election timeout; 0 = taken from the OS.
  uint64_t random_seed = 0;

  // --- durability -----------------------------------------------------------
  // fsync (WriteOptions.sync) every log/hard-state write before answering a
  // vote or an append. Turn off only in tests that measure nothing durable.
  bool sync_writes = true;

  // --- snapshots and compaction ----------------------------------------------
  // Take a StateMachine::Snapshot() every this many applied entries, then
  // drop the log before it except the last `compaction_keep_entries` (so a
  // briefly lagging follower catches up from the log, not a snapshot).
  uint64_t snapshot_every_entries = 10'000;
  uint64_t compaction_keep_entries = 1'000;
  // Largest snapshot this node accepts from a leader.
  size_t max_snapshot_bytes = 1ull << 30;        // 1 GiB
  size_t snapshot_chunk_bytes = 1u << 20;        // 1 MiB per InstallSnapshot message

  // --- limits -------------------------------------------------------------------
  size_t max_entry_bytes = 8u << 20;             // one proposal; larger: InvalidArgument
  size_t max_pending_proposals = 10'000;         // waiting for commit; more: ResourceExhausted
  size_t max_pending_reads = 10'000;             // ReadIndex calls waiting
  size_t max_uncommitted_bytes = 64u << 20;      // leader's uncommitted tail
  size_t max_append_bytes = 1u << 20;            // entry bytes per append message
  size_t max_inflight_appends = 64;              // per follower (pipelining window)
  size_t max_apply_bytes_per_batch = 16u << 20;  // committed entries handed out per loop turn

  // --- transport (one bounded outbound queue per peer) ----------------------------------
  size_t peer_queue_messages = 4'096;            // when full, new messages to that peer drop
  size_t peer_queue_bytes = 64u << 20;
  size_t max_batch_bytes = 4u << 20;             // one gRPC MessageBatch
  std::chrono::milliseconds reconnect_backoff_min{20};
  std::chrono::milliseconds reconnect_backoff_max{1'000};
};

enum class Role { kFollower, kPreCandidate, kCandidate, kLeader };
std::string_view RoleName(Role role);

// Replication state of one peer as the leader sees it (zero/empty on
// followers, which track no peers).
struct PeerStatus {
  NodeId id;
  std::string address;
  LogIndex match_index;  // highest index known to be on the peer's disk
  LogIndex next_index;   // next index the leader will send
  // Time since the leader last heard from the peer; nullopt: never (or not leader).
  std::optional<std::chrono::milliseconds> last_contact_ago;
  std::string replication_state;  // "probe", "replicate", "snapshot" or "" (not leader)
};

// A consistent copy of the node's state, for /status and DescribeQuorum.
struct NodeStatus {
  NodeId id;
  Role role = Role::kFollower;
  Term term;
  std::optional<NodeId> leader;
  LogIndex commit_index;
  LogIndex applied_index;
  LogIndex last_index;      // last entry in the local log
  LogIndex snapshot_index;  // index of the latest local snapshot (0: none)
  std::vector<PeerStatus> peers;  // every voter except this node, by id
};

// One committed log entry as returned by ReadCommitted. Noop entries are
// included (is_noop = true, empty data) so that callers see every index.
struct CommittedEntry {
  LogIndex index;
  Term term;
  bool is_noop = false;
  std::string data;
};

// A stored snapshot, as returned by LatestSnapshot.
struct StoredSnapshot {
  LogIndex index;
  Term term;
  std::string data;  // the StateMachine::Snapshot() bytes
};

using ProposeCallback = absl::AnyInvocable<void(absl::StatusOr<LogIndex>)>;
using ReadCallback = absl::AnyInvocable<void(absl::StatusOr<LogIndex>)>;
using DoneCallback = absl::AnyInvocable<void(absl::Status)>;

class RaftNode {
 public:
  // Opens (or creates) the RocksDB store in options.data_dir, restores the
  // latest snapshot into `state_machine` and replays nothing yet (committed
  // entries after the snapshot are applied once Start() runs). Fails with
  // InvalidArgument on bad options (unknown self id, duplicate ids, id 0,
  // zero limits), with the RocksDB error on I/O problems, DataLoss on a
  // corrupt record, and with Restore()'s error.
  // `state_machine` and `service` must outlive the node. Blocks.
  static absl::StatusOr<std::unique_ptr<RaftNode>> Open(RaftNodeOptions options,
                                                        StateMachine* state_machine,
                                                        RaftServiceImpl* service);

  // Stops the node if running. Blocks.
  ~RaftNode();

  RaftNode(const RaftNode&) = delete;
  RaftNode& operator=(const RaftNode&) = delete;

  // Starts the node thread and the transport and attaches to `service`.
  // REQUIRES: called once.
  absl::Status Start();

  // Stops ticking, replicating and applying; fails every pending callback with
  // Unavailable (on the calling thread: the node thread is gone by then);
  // detaches from the service; closes RocksDB. Idempotent. Blocks until the
  // node thread has exited. Does not transfer leadership: call
  // TransferLeadership first for a clean shutdown. After Stop, Propose,
  // ReadIndex and TransferLeadership fail at once, on the calling thread.
  void Stop();

  // Appends `data` as a new entry if this node is the leader. `done` gets the
  // entry's index once it is committed AND applied to the local state machine
  // (so the caller's state already reflects it), or:
  //   FailedPrecondition  not the leader (Status().leader names the leader),
  //                       or a leadership transfer is in progress;
  //   Aborted             leadership was lost before the entry committed —
  //                       the outcome is UNKNOWN: a later leader may still
  //                       commit it, so re-read the state before retrying;
  //   ResourceExhausted   too many pending proposals or uncommitted bytes;
  //   InvalidArgument     data larger than max_entry_bytes;
  //   Unavailable         the node is stopping.
  void Propose(std::string data, ProposeCallback done);

  // Linearizable read barrier (read-index; see docs/raft.md). Works on any
  // node: the leader confirms it is still leader with a heartbeat round and
  // fixes its commit index as the read index (a follower asks the leader
  // for it). `done` gets the read index once this node has applied at least
  // that far: state read afterwards reflects every write committed before
  // ReadIndex was called. Errors: FailedPrecondition (no leader known, or it
  // has not yet committed an entry in its term), ResourceExhausted,
  // Aborted (leadership changed meanwhile), Unavailable (stopping).
  void ReadIndex(ReadCallback done);

  // Asks the leader (this node) to hand leadership to `to`: it brings `to` up
  // to date, then sends it MSG_TIMEOUT_NOW so it campaigns at once. New
  // proposals are refused meanwhile. `done` gets OK once this node sees `to`
  // as leader, DeadlineExceeded after one election timeout without success,
  // FailedPrecondition when this node is not leader or `to` is not a voter.
  void TransferLeadership(NodeId to, DoneCallback done);

  // A snapshot of the node's state. Cheap; thread-safe.
  NodeStatus Status() const;

  // Convenience: the id of the known leader, if any.
  std::optional<NodeId> Leader() const;
  bool IsLeader() const;

  // Committed entries with index >= `from`, at most `max_bytes` of data (at
  // least one entry if any is available), at most up to the commit index.
  // Returns an empty vector when `from` is past the commit index and
  // OutOfRange when `from` has been compacted away (use LatestSnapshot).
  // Thread-safe; serves from memory. Used by WatchMetadata.
  absl::StatusOr<std::vector<CommittedEntry>> ReadCommitted(LogIndex from,
                                                            size_t max_bytes) const;

  // The latest stored snapshot, or NotFound when none was taken yet.
  absl::StatusOr<StoredSnapshot> LatestSnapshot() const;

  const RaftNodeOptions& options() const;

 private:
  explicit RaftNode(std::unique_ptr<RaftNodeImpl> impl);
  std::unique_ptr<RaftNodeImpl> impl_;
};

}  // namespace gregor::controller::raft_driver

#endif  // GREGOR_CONTROLLER_RAFT_DRIVER_RAFT_NODE_H_
