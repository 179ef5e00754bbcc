// Raft: log replication — appends, heartbeats, their answers and the commit
// rule.
#include "controller/raft/raft.h"

#include <algorithm>
#include <utility>

#include "glog/logging.h"

namespace gregor::controller::raft {

namespace {

// Ticks without progress after which a pipelined follower is probed again
// (an append was probably lost).
int StallTicks(const Options& o) { return std::max(2, o.election_ticks / 2); }

// A well-formed append: entries numbered from prev+1, terms never decreasing,
// none newer than the message.
bool ValidAppend(const raftpb::Message& m) {
  uint64_t prev_term = m.log_term();
  for (int k = 0; k < m.entries_size(); ++k) {
    const raftpb::Entry& e = m.entries(k);
    if (e.index() != m.index() + 1 + k || e.term() < prev_term || e.term() > m.term()) return false;
    prev_term = e.term();
  }
  return m.log_term() <= m.term();
}

}  // namespace

void Raft::AppendEntries(std::vector<raftpb::Entry> entries) {
  LogIndex next = log_.LastIndex() + 1;
  for (raftpb::Entry& e : entries) {
    e.set_term(term_.value());
    e.set_index(next.value());
    ++next;
  }
  log_.Append(std::move(entries));
  // The leader's own copy counts towards commit only once durable: see
  // Advance(). Followers get the new entries when the Ready is built.
  append_pending_ = true;
}

bool Raft::SendAppend(NodeId to, bool send_if_empty) {
  Progress& pr = tracker_.at(to);
  if (pr.IsPaused()) return false;
  LogIndex prev = pr.next - 1;
  std::optional<Term> prev_term = log_.TermAt(prev);
  if (!prev_term.has_value()) return StartSnapshot(to);  // compacted: needs a snapshot
  absl::StatusOr<std::vector<raftpb::Entry>> ents =
      log_.EntriesFrom(pr.next, options_.max_append_bytes);
  if (!ents.ok()) return StartSnapshot(to);
  if (ents->empty()) {
    if (!send_if_empty) return false;
    if (pr.state == ProgressState::kReplicate) {
      // Pipelined appends may still be in flight; anchor a commit-only
      // append at what the follower is known to hold so it cannot be
      // rejected for arriving before them.
      prev = pr.match;
      prev_term = log_.TermAt(prev);
      if (!prev_term.has_value()) return StartSnapshot(to);
    }
  }
  raftpb::Message m = NewMessage(raftpb::MSG_APPEND, to);
  m.set_index(prev.value());
  m.set_log_term(prev_term->value());
  m.set_commit(log_.committed().value());
  // What the follower may commit from this message once it accepts it.
  pr.commit_sent = std::max(pr.commit_sent, std::min(log_.committed(), prev + ents->size()));
  if (!ents->empty()) {
    LogIndex last = IndexOf(ents->back());
    for (raftpb::Entry& e : *ents) *m.add_entries() = std::move(e);
    if (pr.state == ProgressState::kReplicate) {
      if (pr.inflights.Count() == 0) pr.ticks_since_progress = 0;
      pr.OptimisticUpdate(last);
      pr.inflights.Add(last);
    } else {
      pr.probe_sent = true;
    }
  } else if (pr.state == ProgressState::kProbe) {
    pr.probe_sent = true;
  }
  Send(std::move(m));
  return true;
}

void Raft::BroadcastAppend(bool send_if_empty) {
  for (NodeId v : tracker_.voters()) {
    if (v == options_.id) continue;
    if (!SendAppend(v, send_if_empty)) continue;
    while (SendAppend(v, /*send_if_empty=*/false)) {
    }
  }
}

void Raft::SendHeartbeat(NodeId to) {
  Progress& pr = tracker_.at(to);
  raftpb::Message m = NewMessage(raftpb::MSG_HEARTBEAT, to);
  // Never tell a follower to commit past what it is known to hold: beyond
  // its match index its log may still diverge from ours.
  m.set_commit(std::min(pr.match, log_.committed()).value());
  pr.commit_sent = std::max(pr.commit_sent, LogIndex(m.commit()));
  m.set_read_seq(read_seq_);
  Send(std::move(m));
}

void Raft::BroadcastHeartbeat() {
  for (NodeId v : tracker_.voters()) {
    if (v != options_.id) SendHeartbeat(v);
  }
}

void Raft::HandleAppend(const raftpb::Message& m) {
  NodeId from(static_cast<int32_t>(m.from()));
  if (!ValidAppend(m)) return;  // malformed: drop
  raftpb::Message resp = NewMessage(raftpb::MSG_APPEND_RESPONSE, from);
  LogIndex prev(m.index());
  if (prev < log_.committed()) {
    // Everything up to our commit index already matches the leader.
    resp.set_index(log_.committed().value());
    Send(std::move(resp));
    return;
  }
  std::vector<raftpb::Entry> entries(m.entries().begin(), m.entries().end());
  std::optional<LogIndex> last_new =
      log_.MaybeAppend(prev, Term(m.log_term()), LogIndex(m.commit()), entries);
  if (last_new.has_value()) {
    resp.set_index(last_new->value());
    Send(std::move(resp));
    return;
  }
  // Reject with a hint (fast backtracking): the largest index <= prev whose
  // term is <= the leader's prev term. Everything between it and prev
  // cannot match, so the leader may skip it in one round trip.
  auto [hint, hint_term] = log_.FindConflictByTerm(std::min(prev, log_.LastIndex()),
                                                   Term(m.log_term()));
  resp.set_index(prev.value());
  resp.set_reject(true);
  resp.set_reject_hint(hint.value());
  resp.set_log_term(hint_term.value());
  Send(std::move(resp));
}

void Raft::HandleAppendResponse(const raftpb::Message& m) {
  NodeId from(static_cast<int32_t>(m.from()));
  Progress& pr = tracker_.at(from);
  if (m.reject()) {
    LogIndex hint(m.reject_hint());
    if (m.log_term() > 0) {
      // The follower's entry at `hint` has term log_term; our entries after
      // the last index whose term is <= log_term cannot match it.
      hint = log_.FindConflictByTerm(hint, Term(m.log_term())).first;
    }
    if (pr.MaybeDecrTo(LogIndex(m.index()), hint)) {
      if (pr.state == ProgressState::kReplicate) pr.BecomeProbe();
      SendAppend(from, /*send_if_empty=*/true);
    }
    return;
  }
  if (!pr.MaybeUpdate(LogIndex(m.index()))) return;
  switch (pr.state) {
    case ProgressState::kProbe:
      pr.BecomeReplicate();
      break;
    case ProgressState::kSnapshot:
      if (pr.match >= pr.pending_snapshot) pr.BecomeReplicate();
      break;
    case ProgressState::kReplicate:
      pr.inflights.FreeLE(pr.match);
      break;
  }
  if (MaybeCommit()) {
    BroadcastAppend(/*send_if_empty=*/true);
  } else {
    if (!SendAppend(from, /*send_if_empty=*/false) &&
        std::min(pr.match, log_.committed()) > pr.commit_sent) {
      // The follower holds committed entries it has not been told are
      // committed (the broadcast at commit time reached it before they
      // did, or skipped it while paused): tell it.
      SendAppend(from, /*send_if_empty=*/true);
    }
    while (SendAppend(from, /*send_if_empty=*/false)) {
    }
  }
  if (from == transfer_target_ && pr.match == log_.LastIndex()) SendTimeoutNow(from);
}

void Raft::HandleHeartbeat(const raftpb::Message& m) {
  // The leader caps the commit index at our match index, which we hold.
  log_.CommitTo(std::min(LogIndex(m.commit()), log_.LastIndex()));
  raftpb::Message resp =
      NewMessage(raftpb::MSG_HEARTBEAT_RESPONSE, NodeId(static_cast<int32_t>(m.from())));
  resp.set_read_seq(m.read_seq());
  Send(std::move(resp));
}

void Raft::HandleHeartbeatResponse(const raftpb::Message& m) {
  NodeId from(static_cast<int32_t>(m.from()));
  Progress& pr = tracker_.at(from);
  if (m.read_seq() > pr.read_seq_acked) {
    pr.read_seq_acked = m.read_seq();
    ConfirmReads();
  }
  bool behind = pr.match < log_.LastIndex();
  bool stalled = static_cast<int>(pr.ticks_since_progress) >= StallTicks(options_);
  switch (pr.state) {
    case ProgressState::kProbe:
      // The follower is alive: retry the probe (it may have been lost).
      pr.probe_sent = false;
      if (behind) SendAppend(from, /*send_if_empty=*/true);
      break;
    case ProgressState::kReplicate:
      if (behind && stalled) {
        pr.BecomeProbe();
        SendAppend(from, /*send_if_empty=*/true);
      }
      break;
    case ProgressState::kSnapshot:
      if (stalled) {
        // A chunk (or the final answer) was lost: resend from what the
        // follower confirmed.
        SnapshotTransfer& t = pr.transfer;
        t.sent_offset = t.acked_offset;
        t.done_sent = false;
        t.rewound_at = static_cast<int64_t>(t.acked_offset);
        pr.ticks_since_progress = 0;
        SendSnapshotChunks(from);
      }
      break;
  }
}

bool Raft::MaybeCommit() {
  LogIndex old = log_.committed();
  // §3.6.2: only an entry of the current term commits by counting replicas;
  // earlier entries commit with it.
  if (!log_.MaybeCommit(tracker_.QuorumMatch(), term_)) return false;
  OnCommitAdvanced(old);
  return true;
}

void Raft::OnCommitAdvanced(LogIndex old_commit) {
  LogIndex committed = log_.committed();
  CHECK_GT(committed, old_commit);
  while (!uncommitted_.empty() && uncommitted_.front().first <= committed) {
    uncommitted_bytes_ -= uncommitted_.front().second;
    uncommitted_.pop_front();
  }
  if (!reads_before_commit_.empty()) OnFirstCommitInTerm();
}

}  // namespace gregor::controller::raft
