// Progress: what a leader knows about one follower's log, and the flow
// control that decides what to send it next.
//
//   kProbe      the leader does not know where the follower's log diverges:
//               one append at a time, waiting for the answer (or the next
//               heartbeat answer) before sending another.
//   kReplicate  the follower accepted entries: appends are pipelined, up to
//               max_inflight_appends unacknowledged messages.
//   kSnapshot   the follower needs entries the leader has compacted: no
//               appends while a snapshot is streamed to it in chunks.
//
// Not thread-safe; owned by Raft.
#ifndef GREGOR_CONTROLLER_RAFT_PROGRESS_H_
#define GREGOR_CONTROLLER_RAFT_PROGRESS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "controller/raft/types.h"
#include "proto/raft.pb.h"

namespace gregor::controller::raft {

enum class ProgressState { kProbe, kReplicate, kSnapshot };
std::string_view ProgressStateName(ProgressState s);

// Last indexes of the append messages sent but not yet acknowledged, oldest
// first, at most `capacity` of them.
class Inflights {
 public:
  explicit Inflights(size_t capacity) : capacity_(capacity) {}
  bool Full() const { return queue_.size() >= capacity_; }
  size_t Count() const { return queue_.size(); }
  // REQUIRES: !Full() and `last` greater than every index added before.
  void Add(LogIndex last);
  // Forgets every message whose last index is <= `index` (acknowledged).
  void FreeLE(LogIndex index);
  void FreeFirstOne();
  void Reset() { queue_.clear(); }

 private:
  size_t capacity_;
  std::deque<LogIndex> queue_;
};

// State of an InstallSnapshot stream to one follower.
struct SnapshotTransfer {
  std::shared_ptr<const raftpb::Snapshot> snapshot;
  uint32_t crc32c = 0;
  uint64_t sent_offset = 0;   // bytes sent so far (next chunk starts here)
  uint64_t acked_offset = 0;  // bytes the follower confirmed
  bool done_sent = false;     // the last chunk went out
  // acked_offset at the last rewind, so that the rejections of every chunk
  // in flight after a lost one cause a single resend (-1: none).
  int64_t rewound_at = -1;
};

struct Progress {
  explicit Progress(size_t max_inflight) : inflights(max_inflight) {}

  LogIndex match;  // highest index known to be durable on the follower
  LogIndex next;   // next index to send
  ProgressState state = ProgressState::kProbe;
  // kProbe: an append is outstanding; send nothing until it is answered or a
  // heartbeat answer arrives.
  bool probe_sent = false;
  Inflights inflights;
  // kSnapshot: index of the snapshot being sent, and the stream.
  LogIndex pending_snapshot;
  SnapshotTransfer transfer;

  // Heard from since the last check-quorum round.
  bool recent_active = false;
  // Ticks since the follower last answered anything / last moved `match`.
  uint64_t ticks_since_contact = 0;
  bool ever_contacted = false;
  uint64_t ticks_since_progress = 0;
  // Highest commit index sent to the follower that it can apply (commit
  // indexes in appends it accepts / heartbeats, capped by what it holds).
  LogIndex commit_sent;
  // Highest read-index heartbeat round the follower answered this term.
  uint64_t read_seq_acked = 0;

  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(LogIndex snapshot_index);

  // The follower acknowledged `index`. Returns whether match moved.
  bool MaybeUpdate(LogIndex index);
  // An append up to `last` was just sent in kReplicate.
  void OptimisticUpdate(LogIndex last) { next = last + 1; }
  // The follower rejected an append whose previous index was `rejected`;
  // `match_hint` is the highest index that may still match. Returns false
  // for a stale rejection (nothing changed).
  bool MaybeDecrTo(LogIndex rejected, LogIndex match_hint);
  // No more appends may go out now.
  bool IsPaused() const;
};

// The voters' Progress and the vote tally of an election.
class ProgressTracker {
 public:
  ProgressTracker(std::vector<NodeId> voters, size_t max_inflight);

  const std::vector<NodeId>& voters() const { return voters_; }
  bool IsVoter(NodeId id) const { return progress_.count(id) > 0; }
  size_t Quorum() const { return voters_.size() / 2 + 1; }

  Progress& at(NodeId id);
  const Progress& at(NodeId id) const;

  // Resets every Progress for a new leader whose log ends at `last_index`;
  // `self` starts with match = `self_match`.
  void ResetForLeader(NodeId self, LogIndex last_index, LogIndex self_match);

  // The largest index durable on a quorum.
  LogIndex QuorumMatch() const;
  // Whether a quorum (counting `self`) was recently active; clears the flags.
  bool QuorumActiveAndReset(NodeId self);
  // How many voters (counting `self`) have read_seq_acked >= seq.
  size_t ReadAcks(NodeId self, uint64_t seq) const;

  // Elections.
  void ResetVotes() { votes_.clear(); }
  void RecordVote(NodeId id, bool granted);
  enum class VoteResult { kPending, kWon, kLost };
  VoteResult TallyVotes() const;

 private:
  std::vector<NodeId> voters_;  // sorted
  std::map<NodeId, Progress> progress_;
  std::map<NodeId, bool> votes_;
};

}  // namespace gregor::controller::raft

#endif  // GREGOR_CONTROLLER_RAFT_PROGRESS_H_
