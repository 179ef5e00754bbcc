#include "controller/raft/progress.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "glog/logging.h"

namespace gregor::controller::raft {

std::string_view ProgressStateName(ProgressState s) {
  switch (s) {
    case ProgressState::kProbe:
      return "probe";
    case ProgressState::kReplicate:
      return "replicate";
    case ProgressState::kSnapshot:
      return "snapshot";
  }
  return "?";
}

void Inflights::Add(LogIndex last) {
  CHECK(!Full()) << "inflight window of " << capacity_ << " is full";
  CHECK(queue_.empty() || queue_.back() < last)
      << "inflight " << last << " not after " << queue_.back();
  queue_.push_back(last);
}

void Inflights::FreeLE(LogIndex index) {
  while (!queue_.empty() && queue_.front() <= index) queue_.pop_front();
}

void Inflights::FreeFirstOne() {
  if (!queue_.empty()) queue_.pop_front();
}

void Progress::BecomeProbe() {
  if (state == ProgressState::kSnapshot) {
    next = std::max(match + 1, pending_snapshot + 1);
  } else {
    next = match + 1;
  }
  state = ProgressState::kProbe;
  probe_sent = false;
  inflights.Reset();
  pending_snapshot = LogIndex(0);
  transfer = SnapshotTransfer{};
}

void Progress::BecomeReplicate() {
  next = match + 1;
  state = ProgressState::kReplicate;
  probe_sent = false;
  inflights.Reset();
  pending_snapshot = LogIndex(0);
  transfer = SnapshotTransfer{};
  ticks_since_progress = 0;
}

void Progress::BecomeSnapshot(LogIndex snapshot_index) {
  state = ProgressState::kSnapshot;
  probe_sent = false;
  inflights.Reset();
  pending_snapshot = snapshot_index;
  transfer = SnapshotTransfer{};
}

bool Progress::MaybeUpdate(LogIndex index) {
  bool updated = false;
  if (match < index) {
    match = index;
    updated = true;
    probe_sent = false;
    ticks_since_progress = 0;
  }
  if (next < index + 1) next = index + 1;
  return updated;
}

bool Progress::MaybeDecrTo(LogIndex rejected, LogIndex match_hint) {
  if (state == ProgressState::kReplicate) {
    // Only a rejection above match can be current; older ones are echoes of
    // appends sent before the follower caught up.
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // Probing: only the answer to the outstanding probe counts.
  if (next != rejected + 1) return false;
  next = std::max(std::min(rejected, match_hint + 1), match + 1);
  probe_sent = false;
  return true;
}

bool Progress::IsPaused() const {
  switch (state) {
    case ProgressState::kProbe:
      return probe_sent;
    case ProgressState::kReplicate:
      return inflights.Full();
    case ProgressState::kSnapshot:
      return true;
  }
  return true;
}

ProgressTracker::ProgressTracker(std::vector<NodeId> voters, size_t max_inflight)
    : voters_(std::move(voters)) {
  std::sort(voters_.begin(), voters_.end());
  for (NodeId v : voters_) progress_.emplace(v, Progress(max_inflight));
}

Progress& ProgressTracker::at(NodeId id) {
  auto it = progress_.find(id);
  CHECK(it != progress_.end()) << "node " << id << " is not a voter";
  return it->second;
}

const Progress& ProgressTracker::at(NodeId id) const {
  auto it = progress_.find(id);
  CHECK(it != progress_.end()) << "node " << id << " is not a voter";
  return it->second;
}

void ProgressTracker::ResetForLeader(NodeId self, LogIndex last_index, LogIndex self_match) {
  for (auto& [id, pr] : progress_) {
    pr.match = LogIndex(0);
    pr.next = last_index + 1;
    pr.state = ProgressState::kProbe;
    pr.probe_sent = false;
    pr.inflights.Reset();
    pr.pending_snapshot = LogIndex(0);
    pr.transfer = SnapshotTransfer{};
    pr.recent_active = id == self;
    pr.ticks_since_contact = 0;
    pr.ever_contacted = id == self;
    pr.ticks_since_progress = 0;
    pr.read_seq_acked = 0;
    pr.commit_sent = LogIndex(0);
  }
  Progress& me = at(self);
  me.match = self_match;
  me.state = ProgressState::kReplicate;
}

LogIndex ProgressTracker::QuorumMatch() const {
  std::vector<LogIndex> matches;
  matches.reserve(voters_.size());
  for (const auto& [id, pr] : progress_) matches.push_back(pr.match);
  std::sort(matches.begin(), matches.end(), std::greater<LogIndex>());
  return matches[Quorum() - 1];
}

bool ProgressTracker::QuorumActiveAndReset(NodeId self) {
  size_t active = 0;
  for (auto& [id, pr] : progress_) {
    if (id == self || pr.recent_active) ++active;
    pr.recent_active = id == self;
  }
  return active >= Quorum();
}

size_t ProgressTracker::ReadAcks(NodeId self, uint64_t seq) const {
  size_t n = 0;
  for (const auto& [id, pr] : progress_) {
    if (id == self || pr.read_seq_acked >= seq) ++n;
  }
  return n;
}

void ProgressTracker::RecordVote(NodeId id, bool granted) {
  if (!IsVoter(id)) return;
  votes_.emplace(id, granted);  // the first answer counts
}

ProgressTracker::VoteResult ProgressTracker::TallyVotes() const {
  size_t granted = 0, rejected = 0;
  for (const auto& [id, g] : votes_) (g ? granted : rejected)++;
  if (granted >= Quorum()) return VoteResult::kWon;
  if (voters_.size() - rejected < Quorum()) return VoteResult::kLost;
  return VoteResult::kPending;
}

}  // namespace gregor::controller::raft
