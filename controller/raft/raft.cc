// Raft: construction, role changes, Step dispatch, proposals and the Ready
// cycle. Elections, replication, snapshots and reads live in their own files.
#include "controller/raft/raft.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace gregor::controller::raft {

using raftpb::MessageType;

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kFollower:
      return "follower";
    case Role::kPreCandidate:
      return "pre-candidate";
    case Role::kCandidate:
      return "candidate";
    case Role::kLeader:
      return "leader";
  }
  return "?";
}

std::string_view MessageTypeName(MessageType t) {
  switch (t) {
    case raftpb::MSG_PRE_VOTE:
      return "PreVote";
    case raftpb::MSG_PRE_VOTE_RESPONSE:
      return "PreVoteResp";
    case raftpb::MSG_VOTE:
      return "Vote";
    case raftpb::MSG_VOTE_RESPONSE:
      return "VoteResp";
    case raftpb::MSG_APPEND:
      return "App";
    case raftpb::MSG_APPEND_RESPONSE:
      return "AppResp";
    case raftpb::MSG_HEARTBEAT:
      return "Heartbeat";
    case raftpb::MSG_HEARTBEAT_RESPONSE:
      return "HeartbeatResp";
    case raftpb::MSG_SNAPSHOT:
      return "Snap";
    case raftpb::MSG_SNAPSHOT_RESPONSE:
      return "SnapResp";
    case raftpb::MSG_TIMEOUT_NOW:
      return "TimeoutNow";
    case raftpb::MSG_READ_INDEX:
      return "ReadIndex";
    case raftpb::MSG_READ_INDEX_RESPONSE:
      return "ReadIndexResp";
    default:
      return "Unknown";
  }
}

std::string DescribeMessage(const raftpb::Message& m) {
  std::string_view type = MessageTypeName(m.type());
  std::string s = absl::StrCat(m.from(), "->", m.to(), " ", absl::string_view(type.data(), type.size()),
                               " term=", m.term());
  switch (m.type()) {
    case raftpb::MSG_PRE_VOTE:
    case raftpb::MSG_VOTE:
      absl::StrAppend(&s, " last=", m.index(), "/", m.log_term(),
                      m.leadership_transfer() ? " transfer" : "");
      break;
    case raftpb::MSG_APPEND: {
      absl::StrAppend(&s, " prev=", m.index(), "/", m.log_term(), " commit=", m.commit(),
                      " entries=[");
      for (int k = 0; k < m.entries_size(); ++k) {
        const raftpb::Entry& e = m.entries(k);
        absl::StrAppend(&s, k ? " " : "", e.index(), "/", e.term(),
                        e.type() == raftpb::ENTRY_NOOP ? "(noop)" : "");
      }
      absl::StrAppend(&s, "]");
      break;
    }
    case raftpb::MSG_APPEND_RESPONSE:
      absl::StrAppend(&s, " index=", m.index());
      if (m.reject()) absl::StrAppend(&s, " reject hint=", m.reject_hint(), "/", m.log_term());
      break;
    case raftpb::MSG_HEARTBEAT:
      absl::StrAppend(&s, " commit=", m.commit(), " read_seq=", m.read_seq());
      break;
    case raftpb::MSG_HEARTBEAT_RESPONSE:
      absl::StrAppend(&s, " read_seq=", m.read_seq());
      break;
    case raftpb::MSG_SNAPSHOT:
      absl::StrAppend(&s, " snap=", m.snapshot().index(), "/", m.snapshot().term(),
                      " offset=", m.snapshot_offset(), " len=", m.snapshot_data().size(),
                      " size=", m.snapshot_size(), m.snapshot_done() ? " done" : "");
      break;
    case raftpb::MSG_SNAPSHOT_RESPONSE:
      absl::StrAppend(&s, " snap=", m.snapshot().index(), " offset=", m.snapshot_offset(),
                      m.reject() ? " reject" : "");
      break;
    case raftpb::MSG_PRE_VOTE_RESPONSE:
    case raftpb::MSG_VOTE_RESPONSE:
      absl::StrAppend(&s, m.reject() ? " reject" : " grant");
      break;
    case raftpb::MSG_READ_INDEX_RESPONSE:
      absl::StrAppend(&s, " index=", m.index());
      break;
    default:
      break;
  }
  return s;
}

absl::Status Options::Validate() const {
  if (id == kNoNode) return absl::InvalidArgumentError("node id must be >= 1");
  std::set<NodeId> seen;
  for (NodeId v : voters) {
    if (v.value() < 1) return absl::InvalidArgumentError("voter ids must be >= 1");
    if (!seen.insert(v).second) {
      return absl::InvalidArgumentError(absl::StrCat("voter ", v.value(), " listed twice"));
    }
  }
  if (!seen.count(id)) {
    return absl::InvalidArgumentError(absl::StrCat("node ", id.value(), " is not among the voters"));
  }
  if (heartbeat_ticks < 1 || election_ticks <= heartbeat_ticks) {
    return absl::InvalidArgumentError("need 1 <= heartbeat_ticks < election_ticks");
  }
  if (max_entry_bytes == 0 || max_uncommitted_bytes == 0 || max_append_bytes == 0 ||
      max_inflight_appends == 0 || max_committed_bytes_per_ready == 0 ||
      snapshot_chunk_bytes == 0 || max_inflight_snapshot_chunks == 0 ||
      max_snapshot_bytes == 0 || max_pending_reads == 0) {
    return absl::InvalidArgumentError("limits must be positive");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Raft>> Raft::Create(Options options, const Storage* storage) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  HardState hs = storage->InitialHardState();
  if (hs.commit > storage->LastIndex()) {
    return absl::DataLossError(absl::StrCat("stored commit index ", hs.commit.value(),
                                            " is beyond the stored log (last ",
                                            storage->LastIndex().value(), ")"));
  }
  if (hs.vote != kNoNode &&
      std::find(options.voters.begin(), options.voters.end(), hs.vote) == options.voters.end()) {
    return absl::DataLossError(absl::StrCat("stored vote for unknown node ", hs.vote.value()));
  }
  std::vector<NodeId> stored_voters;
  for (uint64_t v : storage->Snapshot()->metadata().conf_state().voters()) {
    stored_voters.push_back(NodeId(static_cast<int32_t>(v)));
  }
  std::vector<NodeId> want = options.voters;
  std::sort(stored_voters.begin(), stored_voters.end());
  std::sort(want.begin(), want.end());
  if (!stored_voters.empty() && stored_voters != want) {
    return absl::DataLossError("stored voters differ from the configured voters");
  }
  return std::unique_ptr<Raft>(new Raft(std::move(options), storage));
}

Raft::Raft(Options options, const Storage* storage)
    : options_(std::move(options)),
      storage_(storage),
      log_(storage),
      tracker_(options_.voters, options_.max_inflight_appends) {
  rng_state_ = options_.random_seed ^ (0x9E3779B97F4A7C15ull * options_.id.value());
  HardState hs = storage->InitialHardState();
  term_ = hs.term;
  vote_ = hs.vote;
  prev_hard_ = hs;
  BecomeFollower(term_, kNoNode);
  prev_soft_ = SoftState{kNoNode, Role::kFollower};
}

uint64_t Raft::NextRandom() {
  // splitmix64: deterministic for a given seed, which is all the simulation
  // needs; the driver seeds it from the OS.
  uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void Raft::ResetRandomizedElectionTimeout() {
  randomized_election_timeout_ =
      options_.election_ticks + static_cast<int>(NextRandom() % options_.election_ticks);
}

raftpb::Message Raft::NewMessage(MessageType type, NodeId to) const {
  raftpb::Message m;
  m.set_type(type);
  m.set_from(options_.id.value());
  m.set_to(to.value());
  m.set_term(term_.value());
  return m;
}

void Raft::Send(raftpb::Message m) {
  CHECK_NE(m.to(), static_cast<uint64_t>(options_.id.value())) << "message to self: "
                                                               << DescribeMessage(m);
  msgs_.push_back(std::move(m));
}

void Raft::Reset(Term term) {
  if (term != term_) {
    CHECK_GT(term, term_) << "term going backwards";
    term_ = term;
    vote_ = kNoNode;
  }
  leader_ = kNoNode;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  transfer_target_ = kNoNode;
  tracker_.ResetVotes();
  uncommitted_.clear();
  uncommitted_bytes_ = 0;
  pending_reads_.clear();
  reads_before_commit_.clear();
  read_heartbeat_pending_ = false;
  append_pending_ = false;
}

void Raft::BecomeFollower(Term term, NodeId leader) {
  Reset(term);
  leader_ = leader;
  role_ = Role::kFollower;
}

void Raft::BecomePreCandidate() {
  CHECK(role_ != Role::kLeader) << "a leader cannot become pre-candidate";
  // Neither term nor vote change: a pre-vote round is a dry run.
  role_ = Role::kPreCandidate;
  leader_ = kNoNode;
  transfer_target_ = kNoNode;
  tracker_.ResetVotes();
  election_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
}

void Raft::BecomeCandidate() {
  CHECK(role_ != Role::kLeader) << "a leader cannot become candidate";
  Reset(term_ + 1);
  vote_ = options_.id;
  role_ = Role::kCandidate;
}

void Raft::BecomeLeader() {
  CHECK(role_ == Role::kCandidate) << "only a candidate becomes leader, not a " << role_;
  role_ = Role::kLeader;
  leader_ = options_.id;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  incoming_snapshot_.reset();
  tracker_.ResetForLeader(options_.id, log_.LastIndex(), log_.StableLastIndex());
  // §6.4 / §3.6.2: entries of earlier terms commit only once an entry of this
  // term does, so start the term with a no-op.
  raftpb::Entry noop;
  noop.set_type(raftpb::ENTRY_NOOP);
  AppendEntries({std::move(noop)});
}

void Raft::Step(const raftpb::Message& m) {
  NodeId from(static_cast<int32_t>(m.from()));
  if (m.to() != static_cast<uint64_t>(options_.id.value()) || from == options_.id ||
      !tracker_.IsVoter(from)) {
    return;
  }
  if (!HandleTermOf(m)) return;
  if (m.type() == raftpb::MSG_PRE_VOTE || m.type() == raftpb::MSG_VOTE) {
    HandleVoteRequest(m);
    return;
  }
  switch (role_) {
    case Role::kLeader:
      StepLeader(m);
      break;
    case Role::kPreCandidate:
    case Role::kCandidate:
      StepCandidate(m);
      break;
    case Role::kFollower:
      StepFollower(m);
      break;
  }
}

bool Raft::HandleTermOf(const raftpb::Message& m) {
  Term mterm(m.term());
  NodeId from(static_cast<int32_t>(m.from()));
  MessageType type = m.type();
  bool from_leader = type == raftpb::MSG_APPEND || type == raftpb::MSG_HEARTBEAT ||
                     type == raftpb::MSG_SNAPSHOT;
  if (mterm > term_) {
    if ((type == raftpb::MSG_VOTE || type == raftpb::MSG_PRE_VOTE) &&
        !m.leadership_transfer() && InLease()) {
      // §4.2.3: we heard from a live leader less than an election timeout
      // ago, so this candidate is disruptive (e.g. just rejoined). Ignore.
      return false;
    }
    if (type == raftpb::MSG_PRE_VOTE) return true;  // a dry run changes no term
    if (type == raftpb::MSG_PRE_VOTE_RESPONSE && !m.reject()) {
      return true;  // a grant carries the future term we asked for
    }
    BecomeFollower(mterm, from_leader ? from : kNoNode);
    return true;
  }
  if (mterm < term_) {
    if ((options_.check_quorum || options_.pre_vote) && from_leader) {
      // A stale leader (e.g. on the far side of a healed partition) would
      // never learn of the new term otherwise: with pre-vote/check-quorum
      // nobody campaigns against it to bump its term.
      Send(NewMessage(raftpb::MSG_APPEND_RESPONSE, from));
    } else if (type == raftpb::MSG_PRE_VOTE) {
      raftpb::Message resp = NewMessage(raftpb::MSG_PRE_VOTE_RESPONSE, from);
      resp.set_reject(true);
      Send(std::move(resp));
    }
    return false;
  }
  return true;
}

void Raft::StepLeader(const raftpb::Message& m) {
  NodeId from(static_cast<int32_t>(m.from()));
  Progress& pr = tracker_.at(from);
  pr.recent_active = true;
  pr.ticks_since_contact = 0;
  pr.ever_contacted = true;
  switch (m.type()) {
    case raftpb::MSG_APPEND_RESPONSE:
      HandleAppendResponse(m);
      break;
    case raftpb::MSG_HEARTBEAT_RESPONSE:
      HandleHeartbeatResponse(m);
      break;
    case raftpb::MSG_SNAPSHOT_RESPONSE:
      HandleSnapshotResponse(m);
      break;
    case raftpb::MSG_READ_INDEX:
      HandleReadIndexRequest(from, m.context());
      break;
    case raftpb::MSG_APPEND:
    case raftpb::MSG_HEARTBEAT:
    case raftpb::MSG_SNAPSHOT:
      LOG(FATAL) << "two leaders in term " << term_ << ": node " << options_.id
                 << " got " << DescribeMessage(m);
      break;
    default:
      break;  // stale vote answers, TimeoutNow: nothing to do
  }
}

void Raft::StepCandidate(const raftpb::Message& m) {
  NodeId from(static_cast<int32_t>(m.from()));
  switch (m.type()) {
    case raftpb::MSG_APPEND:
    case raftpb::MSG_HEARTBEAT:
    case raftpb::MSG_SNAPSHOT:
      // A leader exists in our term (for a pre-candidate: the term it never
      // left). Follow it.
      BecomeFollower(term_, from);
      StepFollower(m);
      break;
    case raftpb::MSG_PRE_VOTE_RESPONSE:
      if (role_ == Role::kPreCandidate && (m.reject() || Term(m.term()) == term_ + 1)) {
        HandleVoteResponse(m);
      }
      break;
    case raftpb::MSG_VOTE_RESPONSE:
      if (role_ == Role::kCandidate) HandleVoteResponse(m);
      break;
    default:
      break;
  }
}

void Raft::StepFollower(const raftpb::Message& m) {
  NodeId from(static_cast<int32_t>(m.from()));
  switch (m.type()) {
    case raftpb::MSG_APPEND:
      election_elapsed_ = 0;
      leader_ = from;
      HandleAppend(m);
      break;
    case raftpb::MSG_HEARTBEAT:
      election_elapsed_ = 0;
      leader_ = from;
      HandleHeartbeat(m);
      break;
    case raftpb::MSG_SNAPSHOT:
      election_elapsed_ = 0;
      leader_ = from;
      HandleSnapshotChunk(m);
      break;
    case raftpb::MSG_TIMEOUT_NOW:
      HandleTimeoutNow(m);
      break;
    case raftpb::MSG_READ_INDEX_RESPONSE:
      HandleReadIndexResponse(m);
      break;
    default:
      break;
  }
}

void Raft::Tick() {
  if (role_ == Role::kLeader) {
    for (NodeId v : tracker_.voters()) {
      if (v == options_.id) continue;
      Progress& pr = tracker_.at(v);
      ++pr.ticks_since_contact;
      ++pr.ticks_since_progress;
    }
    TickHeartbeat();
  } else {
    TickElection();
  }
}

absl::StatusOr<Proposal> Raft::Propose(std::string data) {
  if (role_ != Role::kLeader) {
    return absl::FailedPreconditionError(absl::StrCat("not leader (leader is ", leader_.value(), ")"));
  }
  if (transfer_target_ != kNoNode) {
    return absl::FailedPreconditionError(absl::StrCat("leadership transfer to ",
                                                      transfer_target_.value(), " in progress"));
  }
  if (data.size() > options_.max_entry_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("entry of ", data.size(), " bytes exceeds ",
                                                   options_.max_entry_bytes));
  }
  if (!uncommitted_.empty() && uncommitted_bytes_ + data.size() > options_.max_uncommitted_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(uncommitted_bytes_,
                                                     " bytes of proposals not yet committed"));
  }
  size_t bytes = data.size();
  raftpb::Entry e;
  e.set_type(raftpb::ENTRY_NORMAL);
  e.set_data(std::move(data));
  AppendEntries({std::move(e)});
  LogIndex index = log_.LastIndex();
  uncommitted_.emplace_back(index, bytes);
  uncommitted_bytes_ += bytes;
  return Proposal{index, term_};
}

bool Raft::CommittedInCurrentTerm() const {
  std::optional<Term> t = log_.TermAt(log_.committed());
  return t.has_value() && *t == term_;
}

std::vector<PeerProgress> Raft::Progresses() const {
  std::vector<PeerProgress> out;
  if (role_ != Role::kLeader) return out;
  for (NodeId v : tracker_.voters()) {
    const Progress& pr = tracker_.at(v);
    out.push_back(PeerProgress{v, pr.match, pr.next, pr.state, pr.ticks_since_contact,
                               pr.ever_contacted});
  }
  return out;
}

bool Raft::HasReady() const {
  SoftState soft{leader_, role_};
  return soft != prev_soft_ || hard_state() != prev_hard_ || !msgs_.empty() ||
         !read_states_.empty() || !log_.unstable_entries().empty() ||
         log_.unstable_snapshot().has_value() || log_.HasNextCommittedEntries() ||
         append_pending_ || read_heartbeat_pending_;
}

Ready Raft::GetReady() {
  CHECK(!ready_outstanding_) << "GetReady called twice without Advance";
  if (append_pending_) {
    append_pending_ = false;
    BroadcastAppend(/*send_if_empty=*/false);
  }
  if (read_heartbeat_pending_) {
    read_heartbeat_pending_ = false;
    BroadcastHeartbeat();
  }
  Ready rd;
  SoftState soft{leader_, role_};
  if (soft != prev_soft_) {
    rd.soft_state = soft;
    prev_soft_ = soft;
  }
  HardState hard = hard_state();
  if (hard != prev_hard_) {
    rd.hard_state = hard;
    prev_hard_ = hard;
  }
  rd.snapshot = log_.unstable_snapshot();
  rd.entries = log_.unstable_entries();
  rd.committed_entries = log_.NextCommittedEntries(options_.max_committed_bytes_per_ready);
  rd.messages = std::move(msgs_);
  msgs_.clear();
  rd.read_states = std::move(read_states_);
  read_states_.clear();
  ready_outstanding_ = true;
  return rd;
}

void Raft::Advance(const Ready& rd) {
  CHECK(ready_outstanding_) << "Advance without GetReady";
  ready_outstanding_ = false;
  if (rd.snapshot) {
    LogIndex index(rd.snapshot->metadata().index());
    log_.StableSnapTo(index);
    log_.AppliedTo(index);
  }
  if (!rd.entries.empty()) {
    const raftpb::Entry& last = rd.entries.back();
    log_.StableTo(IndexOf(last), TermOf(last));
  }
  if (!rd.committed_entries.empty()) log_.AppliedTo(IndexOf(rd.committed_entries.back()));
  if (role_ == Role::kLeader &&
      tracker_.at(options_.id).MaybeUpdate(log_.StableLastIndex()) && MaybeCommit()) {
    BroadcastAppend(/*send_if_empty=*/true);
  }
}

}  // namespace gregor::controller::raft
