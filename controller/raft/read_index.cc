// Raft: linearizable reads by read-index (thesis §6.4). The leader records
// its commit index as the read index, then confirms it is still the leader
// by a heartbeat round answered by a quorum; only then may the read be served
// (once the state machine has applied the read index). Reads that arrive
// before the leader has committed an entry of its term wait for that first
// commit, because until then its commit index may be stale.
#include <utility>

#include "absl/strings/str_cat.h"
#include "controller/raft/raft.h"
#include "glog/logging.h"

namespace gregor::controller::raft {

absl::Status Raft::ReadIndex(std::string context) {
  if (pending_read_count() >= options_.max_pending_reads) {
    return absl::ResourceExhaustedError(absl::StrCat(pending_read_count(), " reads pending"));
  }
  if (role_ == Role::kLeader) {
    HandleReadIndexRequest(options_.id, std::move(context));
    return absl::OkStatus();
  }
  if (leader_ == kNoNode) return absl::FailedPreconditionError("no leader known");
  raftpb::Message m = NewMessage(raftpb::MSG_READ_INDEX, leader_);
  m.set_context(std::move(context));
  Send(std::move(m));
  return absl::OkStatus();
}

void Raft::HandleReadIndexRequest(NodeId from, std::string context) {
  if (pending_read_count() >= options_.max_pending_reads) return;  // the asker times out
  if (!CommittedInCurrentTerm()) {
    reads_before_commit_.push_back(PendingRead{0, LogIndex(0), std::move(context), from});
    return;
  }
  PendingRead read{0, log_.committed(), std::move(context), from};
  if (tracker_.voters().size() == 1) {
    ReleaseRead(std::move(read));
    return;
  }
  // Reads arriving before the next heartbeat round share it.
  if (!read_heartbeat_pending_) {
    ++read_seq_;
    read_heartbeat_pending_ = true;
  }
  read.seq = read_seq_;
  pending_reads_.push_back(std::move(read));
}

void Raft::ConfirmReads() {
  while (!pending_reads_.empty() &&
         tracker_.ReadAcks(options_.id, pending_reads_.front().seq) >= tracker_.Quorum()) {
    PendingRead read = std::move(pending_reads_.front());
    pending_reads_.pop_front();
    ReleaseRead(std::move(read));
  }
}

void Raft::ReleaseRead(PendingRead read) {
  if (read.from == options_.id) {
    read_states_.push_back(ReadState{read.index, std::move(read.context)});
    return;
  }
  raftpb::Message m = NewMessage(raftpb::MSG_READ_INDEX_RESPONSE, read.from);
  m.set_index(read.index.value());
  m.set_context(std::move(read.context));
  Send(std::move(m));
}

void Raft::HandleReadIndexResponse(const raftpb::Message& m) {
  read_states_.push_back(ReadState{LogIndex(m.index()), m.context()});
}

void Raft::OnFirstCommitInTerm() {
  if (!CommittedInCurrentTerm()) return;
  std::deque<PendingRead> waiting = std::move(reads_before_commit_);
  reads_before_commit_.clear();
  for (PendingRead& r : waiting) HandleReadIndexRequest(r.from, std::move(r.context));
}

}  // namespace gregor::controller::raft
