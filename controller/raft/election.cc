// Raft: timers, elections (pre-vote and vote), check-quorum and leadership
// transfer.
#include "controller/raft/raft.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace gregor::controller::raft {

void Raft::TickElection() {
  ++election_elapsed_;
  if (election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    Campaign();
  }
}

void Raft::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= options_.election_ticks) {
    election_elapsed_ = 0;
    if (options_.check_quorum && !tracker_.QuorumActiveAndReset(options_.id)) {
      // §6.2: we have not heard from a quorum for an election timeout; a new
      // leader may exist on the other side. Stop serving as leader.
      BecomeFollower(term_, kNoNode);
      return;
    }
    // A transfer that has not finished within an election timeout failed.
    transfer_target_ = kNoNode;
  }
  if (heartbeat_elapsed_ >= options_.heartbeat_ticks) {
    heartbeat_elapsed_ = 0;
    BroadcastHeartbeat();
  }
}

void Raft::Campaign() {
  if (role_ == Role::kLeader) return;
  StartCampaign(options_.pre_vote ? CampaignKind::kPreVote : CampaignKind::kVote);
}

void Raft::StartCampaign(CampaignKind kind) {
  Term vote_term;
  raftpb::MessageType type;
  if (kind == CampaignKind::kPreVote) {
    BecomePreCandidate();
    vote_term = term_ + 1;
    type = raftpb::MSG_PRE_VOTE;
  } else {
    BecomeCandidate();
    vote_term = term_;
    type = raftpb::MSG_VOTE;
  }
  tracker_.RecordVote(options_.id, true);
  if (tracker_.TallyVotes() == ProgressTracker::VoteResult::kWon) {
    // A single-node cluster wins at once.
    if (kind == CampaignKind::kPreVote) {
      StartCampaign(CampaignKind::kVote);
    } else {
      BecomeLeader();
    }
    return;
  }
  LogIndex last_index = log_.LastIndex();
  Term last_term = log_.LastTerm();
  for (NodeId v : tracker_.voters()) {
    if (v == options_.id) continue;
    raftpb::Message m = NewMessage(type, v);
    m.set_term(vote_term.value());
    m.set_index(last_index.value());
    m.set_log_term(last_term.value());
    m.set_leadership_transfer(kind == CampaignKind::kTransfer);
    Send(std::move(m));
  }
}

bool Raft::InLease() const {
  return (options_.check_quorum || options_.pre_vote) && leader_ != kNoNode &&
         election_elapsed_ < options_.election_ticks;
}

void Raft::HandleVoteRequest(const raftpb::Message& m) {
  NodeId candidate(static_cast<int32_t>(m.from()));
  bool pre = m.type() == raftpb::MSG_PRE_VOTE;
  // §3.6: one vote per term, first come first served; a pre-vote for a
  // future term binds nothing.
  bool can_vote = vote_ == candidate || (vote_ == kNoNode && leader_ == kNoNode) ||
                  (pre && Term(m.term()) > term_);
  raftpb::Message resp =
      NewMessage(pre ? raftpb::MSG_PRE_VOTE_RESPONSE : raftpb::MSG_VOTE_RESPONSE, candidate);
  // §3.6.1 election restriction: only a candidate whose log is at least as
  // up to date as ours can win.
  if (can_vote && log_.IsUpToDate(LogIndex(m.index()), Term(m.log_term()))) {
    resp.set_term(m.term());
    if (!pre) {
      election_elapsed_ = 0;
      vote_ = candidate;
    }
  } else {
    resp.set_reject(true);
  }
  Send(std::move(resp));
}

void Raft::HandleVoteResponse(const raftpb::Message& m) {
  tracker_.RecordVote(NodeId(static_cast<int32_t>(m.from())), !m.reject());
  switch (tracker_.TallyVotes()) {
    case ProgressTracker::VoteResult::kWon:
      if (role_ == Role::kPreCandidate) {
        StartCampaign(CampaignKind::kVote);
      } else {
        BecomeLeader();
      }
      break;
    case ProgressTracker::VoteResult::kLost:
      BecomeFollower(term_, kNoNode);
      break;
    case ProgressTracker::VoteResult::kPending:
      break;
  }
}

void Raft::HandleTimeoutNow(const raftpb::Message& m) {
  // §3.10: the leader brought us up to date and asks us to campaign now,
  // skipping pre-vote and telling voters not to wait out their lease.
  StartCampaign(CampaignKind::kTransfer);
}

void Raft::SendTimeoutNow(NodeId to) { Send(NewMessage(raftpb::MSG_TIMEOUT_NOW, to)); }

absl::Status Raft::TransferLeadership(NodeId to) {
  if (role_ != Role::kLeader) {
    return absl::FailedPreconditionError(absl::StrCat("not leader (leader is ", leader_.value(), ")"));
  }
  if (to == options_.id || !tracker_.IsVoter(to)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot transfer leadership to node ", to.value()));
  }
  if (transfer_target_ == to) return absl::OkStatus();
  transfer_target_ = to;
  // The transfer gets one election timeout (TickHeartbeat aborts it).
  election_elapsed_ = 0;
  Progress& pr = tracker_.at(to);
  if (pr.match == log_.LastIndex()) {
    SendTimeoutNow(to);
  } else {
    SendAppend(to, /*send_if_empty=*/true);
  }
  return absl::OkStatus();
}

}  // namespace gregor::controller::raft
