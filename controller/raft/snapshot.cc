// Raft: InstallSnapshot in chunks. The leader streams its latest snapshot to a
// follower that needs compacted entries, at most max_inflight_snapshot_chunks
// unacknowledged chunks of snapshot_chunk_bytes at a time; the follower
// assembles them (bounded by max_snapshot_bytes), tells the leader how many
// bytes it holds so that a lost chunk is resent from there rather than from
// the start, checks the CRC-32C and restores.
#include <algorithm>
#include <utility>

#include "common/crc32c.h"
#include "controller/raft/raft.h"
#include "glog/logging.h"

namespace gregor::controller::raft {

bool Raft::StartSnapshot(NodeId to) {
  Progress& pr = tracker_.at(to);
  // Do not stream a snapshot to a follower that may be down; its next
  // answer to a heartbeat brings us back here.
  if (!pr.recent_active) return false;
  std::shared_ptr<const raftpb::Snapshot> snap = storage_->Snapshot();
  CHECK_GT(snap->metadata().index(), 0u)
      << "log compacted below " << log_.FirstIndex() << " but no snapshot stored";
  pr.BecomeSnapshot(LogIndex(snap->metadata().index()));
  pr.transfer.crc32c = Crc32c(snap->data());
  pr.transfer.snapshot = std::move(snap);
  pr.ticks_since_progress = 0;
  SendSnapshotChunks(to);
  return true;
}

void Raft::SendSnapshotChunks(NodeId to) {
  Progress& pr = tracker_.at(to);
  SnapshotTransfer& t = pr.transfer;
  if (pr.state != ProgressState::kSnapshot || !t.snapshot) return;
  const std::string& data = t.snapshot->data();
  uint64_t window = uint64_t{options_.max_inflight_snapshot_chunks} * options_.snapshot_chunk_bytes;
  while (!t.done_sent && t.sent_offset - t.acked_offset < window) {
    uint64_t len = std::min<uint64_t>(options_.snapshot_chunk_bytes, data.size() - t.sent_offset);
    raftpb::Message m = NewMessage(raftpb::MSG_SNAPSHOT, to);
    *m.mutable_snapshot() = t.snapshot->metadata();
    m.set_snapshot_offset(t.sent_offset);
    m.set_snapshot_data(data.substr(t.sent_offset, len));
    m.set_snapshot_size(data.size());
    m.set_snapshot_crc32c(t.crc32c);
    t.sent_offset += len;
    t.done_sent = t.sent_offset == data.size();
    m.set_snapshot_done(t.done_sent);
    Send(std::move(m));
  }
}

void Raft::HandleSnapshotResponse(const raftpb::Message& m) {
  NodeId from(static_cast<int32_t>(m.from()));
  Progress& pr = tracker_.at(from);
  if (pr.state != ProgressState::kSnapshot || !pr.transfer.snapshot ||
      LogIndex(m.snapshot().index()) != pr.pending_snapshot) {
    return;  // answers an older transfer
  }
  SnapshotTransfer& t = pr.transfer;
  uint64_t held = std::min<uint64_t>(m.snapshot_offset(), t.snapshot->data().size());
  if (held < t.acked_offset) {
    // The follower lost what it had (e.g. it restarted): start over there.
    t.acked_offset = t.sent_offset = held;
    t.done_sent = false;
    t.rewound_at = static_cast<int64_t>(held);
  } else if (held > t.acked_offset) {
    t.acked_offset = held;
    pr.ticks_since_progress = 0;
  }
  if (t.sent_offset < t.acked_offset) t.sent_offset = t.acked_offset;
  if (m.reject() && held == t.acked_offset && t.sent_offset > t.acked_offset &&
      t.rewound_at != static_cast<int64_t>(t.acked_offset)) {
    // The chunk at `held` was lost; the chunks after it were refused.
    t.sent_offset = t.acked_offset;
    t.done_sent = false;
    t.rewound_at = static_cast<int64_t>(t.acked_offset);
  }
  SendSnapshotChunks(from);
}

void Raft::HandleSnapshotChunk(const raftpb::Message& m) {
  NodeId from(static_cast<int32_t>(m.from()));
  const raftpb::SnapshotMetadata& meta = m.snapshot();
  LogIndex index(meta.index());
  if (index <= log_.committed()) {
    // We are past it already; tell the leader where we are.
    incoming_snapshot_.reset();
    raftpb::Message resp = NewMessage(raftpb::MSG_APPEND_RESPONSE, from);
    resp.set_index(log_.committed().value());
    Send(std::move(resp));
    return;
  }
  auto answer = [&](bool reject) {
    raftpb::Message resp = NewMessage(raftpb::MSG_SNAPSHOT_RESPONSE, from);
    resp.mutable_snapshot()->set_index(meta.index());
    resp.mutable_snapshot()->set_term(meta.term());
    resp.set_snapshot_offset(incoming_snapshot_ ? incoming_snapshot_->data.size() : 0);
    resp.set_reject(reject);
    Send(std::move(resp));
  };
  if (m.snapshot_size() > options_.max_snapshot_bytes) return;  // cannot take it; drop
  bool same = incoming_snapshot_ && incoming_snapshot_->metadata.index() == meta.index() &&
              incoming_snapshot_->metadata.term() == meta.term() &&
              incoming_snapshot_->size == m.snapshot_size() &&
              incoming_snapshot_->crc32c == m.snapshot_crc32c();
  if (!same) {
    incoming_snapshot_.reset();
    if (m.snapshot_offset() != 0) {
      answer(/*reject=*/true);  // we hold nothing of it: start from 0
      return;
    }
    incoming_snapshot_ = IncomingSnapshot{meta, m.snapshot_size(), m.snapshot_crc32c(), {}};
  }
  IncomingSnapshot& in = *incoming_snapshot_;
  if (m.snapshot_offset() != in.data.size()) {
    answer(/*reject=*/true);  // a gap or a duplicate: say what we hold
    return;
  }
  if (in.data.size() + m.snapshot_data().size() > in.size ||
      (m.snapshot_done() && in.data.size() + m.snapshot_data().size() != in.size)) {
    incoming_snapshot_.reset();  // inconsistent with its declared size
    answer(/*reject=*/true);
    return;
  }
  in.data.append(m.snapshot_data());
  if (!m.snapshot_done()) {
    answer(/*reject=*/false);
    return;
  }
  if (Crc32c(in.data) != in.crc32c) {
    incoming_snapshot_.reset();
    answer(/*reject=*/true);
    return;
  }
  raftpb::Snapshot snap;
  *snap.mutable_metadata() = std::move(in.metadata);
  snap.set_data(std::move(in.data));
  incoming_snapshot_.reset();
  bool restored = Restore(std::move(snap));
  raftpb::Message resp = NewMessage(raftpb::MSG_APPEND_RESPONSE, from);
  resp.set_index((restored ? log_.LastIndex() : log_.committed()).value());
  Send(std::move(resp));
}

bool Raft::Restore(raftpb::Snapshot snapshot) {
  LogIndex index(snapshot.metadata().index());
  Term term(snapshot.metadata().term());
  if (index <= log_.committed()) return false;
  if (log_.MatchTerm(index, term)) {
    // Our log already holds the snapshot's last entry, hence (log matching)
    // everything before it: just learn that it is committed.
    log_.CommitTo(index);
    return false;
  }
  std::vector<NodeId> voters;
  for (uint64_t v : snapshot.metadata().conf_state().voters()) {
    voters.push_back(NodeId(static_cast<int32_t>(v)));
  }
  std::sort(voters.begin(), voters.end());
  if (voters != tracker_.voters()) {
    // Misconfiguration (membership changes do not exist yet): refuse it.
    LOG(ERROR) << "node " << options_.id << ": snapshot at " << index
               << " lists other voters than this node's configuration; ignored";
    return false;
  }
  log_.Restore(std::move(snapshot));
  return true;
}

}  // namespace gregor::controller::raft
