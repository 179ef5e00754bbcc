#include "controller/raft_driver/raft_node_impl.h"

#include <algorithm>
#include <random>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/bytes.h"
#include "glog/logging.h"

namespace gregor::controller::raft_driver {

namespace {

std::vector<NodeId> VoterIds(const RaftNodeOptions& o) {
  std::vector<NodeId> ids;
  for (const Peer& p : o.voters) ids.push_back(p.id);
  return ids;
}

std::vector<Peer> OtherPeers(const RaftNodeOptions& o) {
  std::vector<Peer> out;
  for (const Peer& p : o.voters) {
    if (p.id != o.id) out.push_back(p);
  }
  return out;
}

Role ToRole(raft::Role r) {
  switch (r) {
    case raft::Role::kFollower:
      return Role::kFollower;
    case raft::Role::kPreCandidate:
      return Role::kPreCandidate;
    case raft::Role::kCandidate:
      return Role::kCandidate;
    case raft::Role::kLeader:
      return Role::kLeader;
  }
  return Role::kFollower;
}

std::string ReadContext(uint64_t id) {
  std::string ctx(8, '\0');
  StoreBE64(ctx.data(), id);
  return ctx;
}

std::optional<uint64_t> ParseReadContext(const std::string& ctx) {
  if (ctx.size() != 8) return std::nullopt;
  return LoadBE64(ctx.data());
}

raft::Options CoreOptions(const RaftNodeOptions& o) {
  raft::Options c;
  c.id = o.id;
  c.voters = VoterIds(o);
  c.election_ticks = o.election_ticks;
  c.heartbeat_ticks = o.heartbeat_ticks;
  c.random_seed = o.random_seed != 0 ? o.random_seed : std::random_device()() * 0x9E3779B97F4A7C15ull + 1;
  c.max_entry_bytes = o.max_entry_bytes;
  c.max_uncommitted_bytes = o.max_uncommitted_bytes;
  c.max_append_bytes = o.max_append_bytes;
  c.max_inflight_appends = o.max_inflight_appends;
  c.max_committed_bytes_per_ready = o.max_apply_bytes_per_batch;
  c.snapshot_chunk_bytes = o.snapshot_chunk_bytes;
  c.max_snapshot_bytes = o.max_snapshot_bytes;
  c.max_pending_reads = o.max_pending_reads;
  return c;
}

}  // namespace

absl::Status ValidateOptions(const RaftNodeOptions& o) {
  if (o.id.value() < 1) return absl::InvalidArgumentError("node id must be >= 1");
  std::set<NodeId> ids;
  for (const Peer& p : o.voters) {
    if (p.id.value() < 1) return absl::InvalidArgumentError("voter ids must be >= 1");
    if (!ids.insert(p.id).second) {
      return absl::InvalidArgumentError(absl::StrCat("voter ", p.id.value(), " listed twice"));
    }
    if (p.id != o.id && p.address.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("voter ", p.id.value(), " has no address"));
    }
  }
  if (!ids.count(o.id)) {
    return absl::InvalidArgumentError(absl::StrCat("node ", o.id.value(), " is not a voter"));
  }
  if (o.data_dir.empty()) return absl::InvalidArgumentError("data_dir is empty");
  if (o.tick_interval.count() <= 0) return absl::InvalidArgumentError("tick_interval must be > 0");
  if (o.snapshot_every_entries == 0) {
    return absl::InvalidArgumentError("snapshot_every_entries must be > 0");
  }
  if (o.max_pending_proposals == 0 || o.peer_queue_messages == 0 || o.peer_queue_bytes == 0 ||
      o.max_batch_bytes == 0 || o.max_batch_bytes > RaftServiceImpl::kMaxBatchBytes / 2) {
    return absl::InvalidArgumentError("transport/proposal limits out of range");
  }
  return CoreOptions(o).Validate();
}

RaftNodeImpl::RaftNodeImpl(RaftNodeOptions options, StateMachine* sm, RaftServiceImpl* service)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : Clock::Real()),
      sm_(sm),
      service_(service),
      max_inbound_(options_.peer_queue_messages * std::max<size_t>(1, options_.voters.size())),
      mem_(VoterIds(options_)) {}

RaftNodeImpl::~RaftNodeImpl() { Stop(); }

absl::Status RaftNodeImpl::Init() {
  StoredState stored;
  absl::StatusOr<std::unique_ptr<LogStore>> store =
      LogStore::Open(options_.data_dir, options_.sync_writes, &stored);
  if (!store.ok()) return store.status();
  store_ = std::move(*store);
  if (absl::Status s = stored.LoadInto(&mem_); !s.ok()) return s;
  std::shared_ptr<const raftpb::Snapshot> snap = mem_.Snapshot();
  if (snap->metadata().index() > 0) {
    LogIndex index(snap->metadata().index());
    if (absl::Status s = sm_->Restore(snap->data(), index); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("restoring the snapshot at ", index.value(), ": ",
                                                  s.message()));
    }
    applied_ = index;
  }
  absl::StatusOr<std::unique_ptr<raft::Raft>> core = raft::Raft::Create(CoreOptions(options_), &mem_);
  if (!core.ok()) return core.status();
  raft_ = std::move(*core);
  TransportOptions t;
  t.queue_messages = options_.peer_queue_messages;
  t.queue_bytes = options_.peer_queue_bytes;
  t.max_batch_bytes = options_.max_batch_bytes;
  t.backoff_min = options_.reconnect_backoff_min;
  t.backoff_max = options_.reconnect_backoff_max;
  transport_ = std::make_unique<Transport>(OtherPeers(options_), t);
  PublishStatus();
  LOG(INFO) << "raft node " << options_.id << " opened " << options_.data_dir << ": term "
            << raft_->term() << ", log (" << mem_.FirstIndex() - 1 << ", " << mem_.LastIndex()
            << "], commit " << raft_->log().committed() << ", snapshot " << applied_;
  return absl::OkStatus();
}

absl::Status RaftNodeImpl::Start() {
  {
    absl::MutexLock l(&mu_);
    if (started_) return absl::FailedPreconditionError("already started");
    started_ = true;
  }
  transport_->Start();
  service_->Attach(this);
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void RaftNodeImpl::Stop() {
  {
    absl::MutexLock l(&mu_);
    if (stopping_) return;
    stopping_ = true;
    if (!started_) return;
  }
  service_->Detach();
  if (thread_.joinable()) thread_.join();
  if (transport_) transport_->Stop();
  // The node thread is gone: fail what is left on this thread.
  Deferred deferred;
  std::vector<InputProposal> proposals;
  std::vector<ReadCallback> reads;
  std::vector<InputTransfer> transfers;
  {
    absl::MutexLock l(&mu_);
    proposals.swap(proposals_in_);
    reads.swap(reads_in_);
    transfers.swap(transfers_in_);
  }
  absl::Status stopped = absl::UnavailableError("raft node stopped");
  for (InputProposal& p : proposals) p.done(stopped);
  for (ReadCallback& r : reads) r(stopped);
  for (InputTransfer& t : transfers) t.done(stopped);
  FailAll(stopped, deferred);
  for (auto& d : deferred) d();
  store_.reset();
  LOG(INFO) << "raft node " << options_.id << " stopped";
}

absl::Status RaftNodeImpl::Deliver(raftpb::MessageBatch batch) {
  absl::MutexLock l(&mu_);
  if (stopping_) return absl::UnavailableError("stopping");
  if (inbound_.size() + batch.messages_size() > max_inbound_) {
    return absl::ResourceExhaustedError("inbound queue full");
  }
  for (raftpb::Message& m : *batch.mutable_messages()) inbound_.push_back(std::move(m));
  return absl::OkStatus();
}

void RaftNodeImpl::Propose(std::string data, ProposeCallback done) {
  // Refusals found here still complete on the node thread, like every
  // callback, so callers never see their callback run inside Propose.
  absl::Status refuse;
  if (data.size() > options_.max_entry_bytes) {
    refuse = absl::InvalidArgumentError(absl::StrCat("entry of ", data.size(), " bytes exceeds ",
                                                     options_.max_entry_bytes));
  } else if (pending_proposals_.load() >= options_.max_pending_proposals) {
    refuse = absl::ResourceExhaustedError("too many pending proposals");
  }
  {
    absl::MutexLock l(&mu_);
    if (started_ && !stopping_) {
      pending_proposals_.fetch_add(1);
      proposals_in_.push_back({std::move(data), std::move(done), std::move(refuse)});
      return;
    }
  }
  done(absl::UnavailableError("raft node not running"));
}

void RaftNodeImpl::ReadIndex(ReadCallback done) {
  {
    absl::MutexLock l(&mu_);
    if (started_ && !stopping_) {
      reads_in_.push_back(std::move(done));
      return;
    }
  }
  done(absl::UnavailableError("raft node not running"));
}

void RaftNodeImpl::TransferLeadership(NodeId to, DoneCallback done) {
  {
    absl::MutexLock l(&mu_);
    if (started_ && !stopping_) {
      transfers_in_.push_back({to, std::move(done)});
      return;
    }
  }
  done(absl::UnavailableError("raft node not running"));
}

bool RaftNodeImpl::HasInput() const {
  return stopping_ || !inbound_.empty() || !proposals_in_.empty() || !reads_in_.empty() ||
         !transfers_in_.empty();
}

RaftNodeImpl::Clock_::duration RaftNodeImpl::ElectionTimeout() const {
  return options_.tick_interval * options_.election_ticks;
}

void RaftNodeImpl::Loop() {
  Clock_::time_point next_tick = clock_->Now() + options_.tick_interval;
  while (true) {
    std::vector<raftpb::Message> inbound;
    std::vector<InputProposal> proposals;
    std::vector<ReadCallback> reads;
    std::vector<InputTransfer> transfers;
    {
      absl::MutexLock l(&mu_);
      Clock_::duration wait = next_tick - clock_->Now();
      if (wait > Clock_::duration::zero()) {
        mu_.AwaitWithTimeout(absl::Condition(this, &RaftNodeImpl::HasInput),
                             absl::FromChrono(wait));
      }
      if (stopping_) return;
      inbound.swap(inbound_);
      proposals.swap(proposals_in_);
      reads.swap(reads_in_);
      transfers.swap(transfers_in_);
    }
    Deferred deferred;
    Clock_::time_point now = clock_->Now();
    if (!failed_) {
      int ticks = 0;
      while (now >= next_tick && ticks < 5) {
        raft_->Tick();
        next_tick += options_.tick_interval;
        ++ticks;
      }
      if (now >= next_tick) next_tick = now + options_.tick_interval;  // far behind: skip
    } else if (now >= next_tick) {
      next_tick = now + options_.tick_interval;
    }
    HandleInputs(inbound, proposals, reads, transfers, deferred);
    while (!failed_ && raft_->HasReady()) HandleReady(deferred);
    ExpireWaiters(now, deferred);
    PublishStatus();
    for (auto& d : deferred) d();
  }
}

void RaftNodeImpl::HandleInputs(std::vector<raftpb::Message>& inbound,
                                std::vector<InputProposal>& proposals,
                                std::vector<ReadCallback>& reads,
                                std::vector<InputTransfer>& transfers, Deferred& deferred) {
  if (failed_) {
    absl::Status s = absl::UnavailableError("raft node failed (see the log)");
    for (InputProposal& p : proposals) {
      deferred.push_back([this, d = std::move(p.done), s]() mutable {
        pending_proposals_.fetch_sub(1);
        d(s);
      });
    }
    for (ReadCallback& r : reads) deferred.push_back([d = std::move(r), s]() mutable { d(s); });
    for (InputTransfer& t : transfers) {
      deferred.push_back([d = std::move(t.done), s]() mutable { d(s); });
    }
    return;
  }
  for (const raftpb::Message& m : inbound) raft_->Step(m);
  for (InputProposal& p : proposals) {
    absl::StatusOr<raft::Proposal> r =
        p.refuse.ok() ? raft_->Propose(std::move(p.data)) : absl::StatusOr<raft::Proposal>(p.refuse);
    if (!r.ok()) {
      deferred.push_back([this, d = std::move(p.done), s = r.status()]() mutable {
        pending_proposals_.fetch_sub(1);
        d(s);
      });
      continue;
    }
    proposals_[r->index] = PendingProposal{r->term, std::move(p.done)};
  }
  Clock_::time_point deadline = clock_->Now() + 2 * ElectionTimeout();
  for (ReadCallback& cb : reads) {
    uint64_t id = ++next_read_id_;
    absl::Status s = raft_->ReadIndex(ReadContext(id));
    if (!s.ok()) {
      deferred.push_back([d = std::move(cb), s]() mutable { d(s); });
      continue;
    }
    reads_.emplace(id, PendingRead{std::move(cb), deadline});
  }
  for (InputTransfer& t : transfers) {
    absl::Status s = raft_->TransferLeadership(t.to);
    if (!s.ok()) {
      deferred.push_back([d = std::move(t.done), s]() mutable { d(s); });
      continue;
    }
    transfers_.push_back({t.to, std::move(t.done), clock_->Now() + ElectionTimeout()});
  }
}

void RaftNodeImpl::HandleReady(Deferred& deferred) {
  raft::Ready rd = raft_->GetReady();
  // 1. Durable first: nothing below may be seen by anyone before this.
  if (absl::Status s = store_->SaveReady(rd); !s.ok()) {
    Fail(s, deferred);
    return;
  }
  if (rd.snapshot) CHECK(mem_.ApplySnapshot(*rd.snapshot).ok());
  if (absl::Status s = mem_.Append(rd.entries); !s.ok()) {
    LOG(FATAL) << "node " << options_.id << ": in-memory log rejected entries: " << s;
  }
  if (rd.hard_state) mem_.SetHardState(*rd.hard_state);
  // 2. Send.
  if (!rd.messages.empty()) transport_->Send(std::move(rd.messages));
  // 3. Install, apply, serve.
  if (rd.snapshot) {
    LogIndex index(rd.snapshot->metadata().index());
    if (absl::Status s = sm_->Restore(rd.snapshot->data(), index); !s.ok()) {
      Fail(absl::Status(s.code(), absl::StrCat("restoring the leader's snapshot at ",
                                               index.value(), ": ", s.message())),
           deferred);
      return;
    }
    applied_ = index;
    LOG(INFO) << "raft node " << options_.id << " installed a snapshot at " << index;
  }
  bool own_noop_applied = false;
  for (const raftpb::Entry& e : rd.committed_entries) ApplyEntry(e, own_noop_applied, deferred);
  for (raft::ReadState& rs : rd.read_states) {
    std::optional<uint64_t> id = ParseReadContext(rs.context);
    if (!id) continue;
    auto it = reads_.find(*id);
    if (it == reads_.end()) continue;  // timed out already
    reads_to_apply_.emplace(rs.index, std::move(it->second.done));
    reads_.erase(it);
  }
  ServeReads(deferred);
  if (rd.soft_state) OnSoftState(*rd.soft_state, deferred);
  if (raft_->leader() != seen_leader_ || raft_->term() != seen_term_) {
    // The core drops read requests in flight when the leader or term
    // changes; their answers will never come.
    seen_leader_ = raft_->leader();
    seen_term_ = raft_->term();
    absl::Status changed = absl::AbortedError("leader changed during the read");
    for (auto& [id, r] : reads_) {
      deferred.push_back([d = std::move(r.done), changed]() mutable { d(changed); });
    }
    reads_.clear();
  }
  if (own_noop_applied && raft_->role() == raft::Role::kLeader) ReportLeader(options_.id);
  raft_->Advance(rd);
  MaybeSnapshot();
}

void RaftNodeImpl::ApplyEntry(const raftpb::Entry& e, bool& own_noop_applied, Deferred& deferred) {
  LogIndex index = raft::IndexOf(e);
  CHECK_EQ(index, applied_ + 1) << "node " << options_.id << " applies out of order";
  if (e.type() == raftpb::ENTRY_NORMAL) {
    sm_->Apply(index, e.data());
  } else if (raft::TermOf(e) == raft_->term()) {
    own_noop_applied = true;
  }
  applied_ = index;
  auto it = proposals_.find(index);
  if (it == proposals_.end()) return;
  absl::StatusOr<LogIndex> result = index;
  if (it->second.term != raft::TermOf(e)) {
    result = absl::AbortedError("the proposal was replaced by another leader's entry");
  }
  deferred.push_back([this, d = std::move(it->second.done), result]() mutable {
    pending_proposals_.fetch_sub(1);
    d(result);
  });
  proposals_.erase(it);
}

void RaftNodeImpl::ServeReads(Deferred& deferred) {
  while (!reads_to_apply_.empty() && reads_to_apply_.begin()->first <= applied_) {
    LogIndex index = reads_to_apply_.begin()->first;
    deferred.push_back([d = std::move(reads_to_apply_.begin()->second), index]() mutable {
      d(index);
    });
    reads_to_apply_.erase(reads_to_apply_.begin());
  }
}

void RaftNodeImpl::OnSoftState(const raft::SoftState& soft, Deferred& deferred) {
  if (soft.role != raft::Role::kLeader && !proposals_.empty()) {
    absl::Status lost = absl::AbortedError(
        "leadership lost before the entry committed; it may still commit");
    for (auto& [index, p] : proposals_) {
      deferred.push_back([this, d = std::move(p.done), lost]() mutable {
        pending_proposals_.fetch_sub(1);
        d(lost);
      });
    }
    proposals_.clear();
  }
  if (soft.leader != options_.id) {
    ReportLeader(soft.leader == raft::kNoNode ? std::nullopt : std::optional<NodeId>(soft.leader));
  }
}

void RaftNodeImpl::ReportLeader(std::optional<NodeId> leader) {
  Term term = raft_->term();
  if (reported_ && reported_leader_ == leader && reported_term_ == term) return;
  reported_ = true;
  reported_leader_ = leader;
  reported_term_ = term;
  LOG(INFO) << "raft node " << options_.id << ": term " << term << ", leader "
            << (leader ? absl::StrCat(leader->value()) : std::string("none"));
  sm_->OnLeaderChange(leader, term);
}

void RaftNodeImpl::MaybeSnapshot() {
  LogIndex snap(mem_.Snapshot()->metadata().index());
  if (applied_ < snap + options_.snapshot_every_entries) return;
  std::string data = sm_->Snapshot();
  raftpb::SnapshotMetadata meta;
  meta.set_index(applied_.value());
  absl::StatusOr<Term> term = mem_.TermAt(applied_);
  CHECK(term.ok()) << "applied entry " << applied_ << " not in the log: " << term.status();
  meta.set_term(term->value());
  *meta.mutable_conf_state() = mem_.Snapshot()->metadata().conf_state();
  std::optional<log_format::LogStart> compact;
  LogIndex compact_to(0);
  if (applied_.value() > options_.compaction_keep_entries) {
    compact_to = applied_ - options_.compaction_keep_entries;
    if (compact_to >= mem_.FirstIndex()) {
      absl::StatusOr<Term> t = mem_.TermAt(compact_to);
      CHECK(t.ok());
      compact = log_format::LogStart{compact_to, *t};
    } else {
      compact_to = LogIndex(0);
    }
  }
  if (absl::Status s = store_->SaveSnapshot(meta, data, compact); !s.ok()) {
    LOG(ERROR) << "raft node " << options_.id << ": snapshot at " << applied_ << " failed: " << s;
    return;  // retried after the next applied entries
  }
  CHECK(mem_.CreateSnapshot(applied_, std::move(data), compact_to).ok());
  VLOG(1) << "raft node " << options_.id << " snapshot at " << applied_ << ", log from "
          << mem_.FirstIndex();
}

void RaftNodeImpl::ExpireWaiters(Clock_::time_point now, Deferred& deferred) {
  for (auto it = reads_.begin(); it != reads_.end();) {
    if (it->second.deadline <= now) {
      deferred.push_back([d = std::move(it->second.done)]() mutable {
        d(absl::DeadlineExceededError("read index not confirmed in time"));
      });
      it = reads_.erase(it);
    } else {
      ++it;
    }
  }
  NodeId leader = raft_ ? raft_->leader() : raft::kNoNode;
  for (auto it = transfers_.begin(); it != transfers_.end();) {
    if (leader == it->to) {
      deferred.push_back([d = std::move(it->done)]() mutable { d(absl::OkStatus()); });
      it = transfers_.erase(it);
    } else if (it->deadline <= now) {
      deferred.push_back([d = std::move(it->done)]() mutable {
        d(absl::DeadlineExceededError("leadership transfer did not complete"));
      });
      it = transfers_.erase(it);
    } else {
      ++it;
    }
  }
}

void RaftNodeImpl::FailAll(const absl::Status& status, Deferred& deferred) {
  for (auto& [index, p] : proposals_) {
    deferred.push_back([this, d = std::move(p.done), status]() mutable {
      pending_proposals_.fetch_sub(1);
      d(status);
    });
  }
  proposals_.clear();
  for (auto& [id, r] : reads_) deferred.push_back([d = std::move(r.done), status]() mutable { d(status); });
  reads_.clear();
  for (auto& [i, r] : reads_to_apply_) deferred.push_back([d = std::move(r), status]() mutable { d(status); });
  reads_to_apply_.clear();
  for (TransferWaiter& t : transfers_) deferred.push_back([d = std::move(t.done), status]() mutable { d(status); });
  transfers_.clear();
}

void RaftNodeImpl::Fail(const absl::Status& status, Deferred& deferred) {
  // Without durable storage the node cannot promise anything: stop taking
  // part (peers see it as down) until an operator restarts it.
  LOG(ERROR) << "raft node " << options_.id << " halts: " << status;
  failed_ = true;
  FailAll(absl::UnavailableError(absl::StrCat("raft node halted: ", status.message())), deferred);
}

void RaftNodeImpl::PublishStatus() {
  NodeStatus s;
  s.id = options_.id;
  s.role = failed_ ? Role::kFollower : ToRole(raft_->role());
  s.term = raft_->term();
  if (raft_->leader() != raft::kNoNode && !failed_) s.leader = raft_->leader();
  s.commit_index = raft_->log().committed();
  s.applied_index = applied_;
  s.last_index = raft_->log().LastIndex();
  s.snapshot_index = LogIndex(mem_.Snapshot()->metadata().index());
  std::vector<raft::PeerProgress> progress = raft_->Progresses();
  for (const Peer& p : options_.voters) {
    if (p.id == options_.id) continue;
    PeerStatus ps;
    ps.id = p.id;
    ps.address = p.address;
    for (const raft::PeerProgress& pr : progress) {
      if (pr.id != p.id) continue;
      ps.match_index = pr.match;
      ps.next_index = pr.next;
      ps.replication_state = std::string(raft::ProgressStateName(pr.state));
      if (pr.ever_contacted) {
        ps.last_contact_ago = std::chrono::duration_cast<std::chrono::milliseconds>(
            options_.tick_interval * static_cast<int64_t>(pr.ticks_since_contact));
      }
    }
    s.peers.push_back(std::move(ps));
  }
  absl::MutexLock l(&status_mu_);
  status_ = std::move(s);
}

NodeStatus RaftNodeImpl::Status() const {
  absl::MutexLock l(&status_mu_);
  return status_;
}

absl::StatusOr<std::vector<CommittedEntry>> RaftNodeImpl::ReadCommitted(LogIndex from,
                                                                        size_t max_bytes) const {
  LogIndex commit;
  {
    absl::MutexLock l(&status_mu_);
    commit = status_.commit_index;
  }
  std::vector<CommittedEntry> out;
  if (from > commit) return out;
  if (from < mem_.FirstIndex()) {
    return absl::OutOfRangeError(absl::StrCat("index ", from.value(),
                                              " was compacted; the log starts at ",
                                              mem_.FirstIndex().value()));
  }
  absl::StatusOr<std::vector<raftpb::Entry>> ents = mem_.Entries(from, commit + 1, max_bytes);
  if (!ents.ok()) {
    if (ents.status().code() == absl::StatusCode::kOutOfRange) return ents.status();
    return absl::InternalError(absl::StrCat("reading committed entries: ", ents.status().message()));
  }
  for (raftpb::Entry& e : *ents) {
    out.push_back(CommittedEntry{raft::IndexOf(e), raft::TermOf(e),
                                 e.type() == raftpb::ENTRY_NOOP, std::move(*e.mutable_data())});
  }
  return out;
}

absl::StatusOr<StoredSnapshot> RaftNodeImpl::LatestSnapshot() const {
  std::shared_ptr<const raftpb::Snapshot> snap = mem_.Snapshot();
  if (snap->metadata().index() == 0) return absl::NotFoundError("no snapshot taken yet");
  return StoredSnapshot{LogIndex(snap->metadata().index()), Term(snap->metadata().term()),
                        snap->data()};
}

}  // namespace gregor::controller::raft_driver
