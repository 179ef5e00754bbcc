#include "controller/quorum_controller.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "common/metadata/delta.h"
#include "glog/logging.h"

namespace gregor::controller {

using metadata::MetadataBatch;
using metadata::MetadataImage;
using metadata::MetadataOffset;
using metadata::MetadataRecord;

namespace {

uint64_t Seed(uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

QuorumController::QuorumController(QuorumControllerOptions options, Clock* clock)
    : options_(std::move(options)), clock_(clock), committed_(MetadataImage::Empty()),
      controller_(options_.controller, Seed(options_.random_seed)) {}

QuorumController::~QuorumController() { Stop(); }

void QuorumController::Start(MetadataLog* log) {
  CHECK(!thread_.joinable()) << "QuorumController started twice";
  log_ = log;
  thread_ = std::thread([this] { Run(); });
}

void QuorumController::Stop() {
  if (!thread_.joinable()) return;
  Post(Event{Event::kStop});
  thread_.join();
}

void QuorumController::Post(Event e) {
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back(std::move(e));
}

// ---------------------------------------------------------------------------
// StateMachine (Raft thread).

void QuorumController::Apply(LogIndex index, std::string_view data) {
  MetadataBatch batch;
  const MetadataOffset offset(static_cast<int64_t>(index.value()));
  absl::MutexLock lock(&image_mu_);
  metadata::MetadataDelta delta(committed_);
  if (!batch.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    LOG(ERROR) << "Metadata entry " << index << " is not a MetadataBatch; skipping it";
  } else if (absl::Status s = delta.ReplayBatch(offset, batch); !s.ok()) {
    // Every controller skips the same batch (replay is deterministic).
    LOG(ERROR) << "Metadata entry " << index << " does not apply; skipping it: " << s;
  } else {
    records_committed_ += batch.records_size();
  }
  delta.AdvanceOffset(offset);
  committed_ = delta.Apply();
  applied_cv_.SignalAll();
}

std::string QuorumController::Snapshot() {
  absl::MutexLock lock(&image_mu_);
  return committed_->ToRecords().SerializeAsString();
}

absl::Status QuorumController::Restore(std::string_view data, LogIndex index) {
  MetadataBatch batch;
  if (!batch.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return absl::DataLossError(absl::StrCat("metadata snapshot at ", index.value(), " does not parse"));
  }
  auto image = metadata::ImageFromRecords(MetadataOffset(static_cast<int64_t>(index.value())), batch);
  if (!image.ok()) return image.status();
  absl::MutexLock lock(&image_mu_);
  committed_ = *std::move(image);
  applied_cv_.SignalAll();
  LOG(INFO) << "Restored the metadata image from the snapshot at offset " << index;
  return absl::OkStatus();
}

void QuorumController::OnLeaderChange(std::optional<NodeId> leader, Term term) {
  {
    absl::MutexLock lock(&image_mu_);
    leader_ = leader;
    term_ = term;
    applied_cv_.SignalAll();
  }
  Event e{Event::kLeader};
  e.leader = leader;
  e.term = term;
  Post(std::move(e));
}

// ---------------------------------------------------------------------------
// Reads (any thread).

std::shared_ptr<const MetadataImage> QuorumController::committed_image() const {
  absl::MutexLock lock(&image_mu_);
  return committed_;
}

MetadataOffset QuorumController::WaitForApplied(MetadataOffset offset,
                                                std::chrono::milliseconds timeout) const {
  absl::MutexLock lock(&image_mu_);
  const absl::Time deadline = absl::Now() + absl::Milliseconds(timeout.count());
  while (committed_->offset() <= offset) {
    if (applied_cv_.WaitWithDeadline(&image_mu_, deadline)) break;
  }
  return committed_->offset();
}

controllerpb::LeaderHint QuorumController::LeaderHint() const {
  controllerpb::LeaderHint hint;
  absl::MutexLock lock(&image_mu_);
  hint.set_leader_id(leader_ ? leader_->value() : -1);
  if (leader_) {
    auto it = options_.voter_addresses.find(*leader_);
    if (it != options_.voter_addresses.end()) hint.set_leader_address(it->second);
  }
  return hint;
}

QuorumControllerStats QuorumController::Stats() const {
  QuorumControllerStats s;
  std::shared_ptr<const MetadataImage> image;
  {
    absl::MutexLock lock(&image_mu_);
    image = committed_;
    s.leader = leader_;
    s.term = term_;
    s.records_committed = records_committed_;
  }
  {
    absl::MutexLock lock(&stats_mu_);
    s.active = stats_active_;
    s.operations_committed = ops_committed_;
    s.operations_failed = ops_failed_;
    s.inflight = inflight_count_;
    s.fenced_by_liveness = fenced_by_liveness_;
  }
  s.applied_offset = image->offset();
  for (const auto& [id, b] : image->brokers()) {
    ++s.brokers;
    if (b->fenced) ++s.fenced_brokers;
  }
  s.topics = static_cast<int64_t>(image->topics().size());
  s.partitions = image->total_partitions();
  for (const auto& [tid, topic] : image->topics()) {
    for (const auto& [pid, p] : topic->partitions()) {
      if (!p->HasLeader()) ++s.offline_partitions;
      if (!p->HasPreferredLeader()) ++s.preferred_replica_imbalance;
      if (p->IsReassigning()) ++s.reassigning_partitions;
    }
  }
  return s;
}

// ---------------------------------------------------------------------------
// The controller thread.

void QuorumController::Run() {
  last_tick_ = clock_->Now();
  while (true) {
    std::deque<Event> events;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.AwaitWithTimeout(absl::Condition(
                                     +[](std::deque<Event>* q) { return !q->empty(); }, &queue_),
                                 absl::Milliseconds(options_.tick_interval.count()));
      events.swap(queue_);
    }
    for (Event& e : events) {
      const TimePoint now = clock_->Now();
      switch (e.kind) {
        case Event::kStop:
          FailAll(NotController());
          active_ = false;
          return;
        case Event::kOp:
          HandleOp(std::move(e.op), now);
          break;
        case Event::kProposeDone:
          HandleProposeDone(e.id, std::move(e.result));
          break;
        case Event::kLeader:
          HandleLeader(e.leader, e.term, now);
          break;
      }
    }
    const TimePoint now = clock_->Now();
    if (now - last_tick_ >= options_.tick_interval) Tick(now);
    absl::MutexLock lock(&stats_mu_);
    stats_active_ = active_;
    inflight_count_ = static_cast<int64_t>(inflight_.size());
  }
}

ApiError QuorumController::NotController() const {
  controllerpb::LeaderHint hint = LeaderHint();
  return MakeError(KafkaError::kNotController,
                   hint.leader_id() >= 0
                       ? absl::StrCat("This is not the active controller; the leader is node ",
                                      hint.leader_id(), " at ", hint.leader_address(), ".")
                       : std::string("There is no active controller right now; retry."));
}

void QuorumController::HandleOp(Op op, TimePoint now) {
  if (!active_) {
    if (op.reply) op.reply(0, NotController());
    return;
  }
  const bool must_wait =
      barrier_inflight_ || speculative_dirty_ || (op.barrier && !inflight_.empty());
  if (must_wait) {
    if (waiting_.size() >= options_.max_pending_operations) {
      if (op.reply) op.reply(0, MakeError(KafkaError::kRequestTimedOut, "The controller is overloaded."));
      return;
    }
    waiting_.push_back(std::move(op));
    return;
  }
  std::vector<MetadataRecord> records = op.compute(controller_, now);
  if (records.empty()) {
    // Answer once everything proposed before has committed.
    if (!op.reply) return;
    if (inflight_.empty()) {
      op.reply(committed_image()->offset().value(), ApiError::None());
    } else {
      inflight_.back().replies.push_back(std::move(op.reply));
    }
    return;
  }
  MetadataBatch batch;
  for (auto& r : records) *batch.add_records() = std::move(r);
  if (!op.barrier) {
    absl::Status s = controller_.Replay(controller_.image()->offset(), batch);
    CHECK(s.ok()) << "operation records do not replay on the speculative image: " << s;
  }
  const uint64_t id = next_id_++;
  InFlight f{id, op.barrier, static_cast<size_t>(batch.records_size()), {}};
  if (op.reply) f.replies.push_back(std::move(op.reply));
  inflight_.push_back(std::move(f));
  if (op.barrier) barrier_inflight_ = true;
  log_->Propose(batch.SerializeAsString(), [this, id](absl::StatusOr<LogIndex> r) {
    Event e{Event::kProposeDone};
    e.id = id;
    e.result = std::move(r);
    Post(std::move(e));
  });
}

void QuorumController::HandleProposeDone(uint64_t id, absl::StatusOr<LogIndex> result) {
  auto it = std::find_if(inflight_.begin(), inflight_.end(), [id](const InFlight& f) { return f.id == id; });
  if (it == inflight_.end()) return;  // already failed (stop or leadership change)
  InFlight f = std::move(*it);
  inflight_.erase(it);
  ApiError error;
  int64_t offset = 0;
  if (result.ok()) {
    offset = static_cast<int64_t>(result->value());
  } else {
    speculative_dirty_ = true;
    error = result.status().code() == absl::StatusCode::kResourceExhausted
                ? MakeError(KafkaError::kRequestTimedOut, "The controller is overloaded.")
                : NotController();
    LOG(WARNING) << "Metadata proposal failed: " << result.status();
  }
  {
    absl::MutexLock lock(&stats_mu_);
    (result.ok() ? ops_committed_ : ops_failed_) += 1;
  }
  for (auto& reply : f.replies) reply(offset, error);
  if (f.barrier) barrier_inflight_ = false;
  if (inflight_.empty()) {
    // Everything proposed has committed (or failed): the committed image is
    // the truth again.
    controller_.ResetImage(committed_image());
    speculative_dirty_ = false;
    DrainWaiting(clock_->Now());
  } else if (f.barrier) {
    DrainWaiting(clock_->Now());
  }
}

void QuorumController::DrainWaiting(TimePoint now) {
  while (!waiting_.empty() && active_) {
    if (barrier_inflight_ || speculative_dirty_) return;
    if (waiting_.front().barrier && !inflight_.empty()) return;
    Op op = std::move(waiting_.front());
    waiting_.pop_front();
    HandleOp(std::move(op), now);
  }
}

void QuorumController::FailAll(const ApiError& error) {
  for (auto& f : inflight_) {
    for (auto& reply : f.replies) reply(0, error);
  }
  inflight_.clear();
  for (auto& op : waiting_) {
    if (op.reply) op.reply(0, error);
  }
  waiting_.clear();
  barrier_inflight_ = false;
  speculative_dirty_ = false;
}

void QuorumController::HandleLeader(std::optional<NodeId> leader, Term term, TimePoint now) {
  const bool leading = leader.has_value() && *leader == options_.node_id;
  if (leading && !active_) {
    // The Raft node reports leadership only after the no-op of the term is
    // applied: the committed image is complete.
    active_ = true;
    FailAll(NotController());  // nothing should be pending; be safe
    controller_.ResetImage(committed_image());
    controller_.Activate(now);
    last_tick_ = now;
    last_rebalance_ = now;
    last_offline_election_ = now;
    LOG(INFO) << "Node " << options_.node_id << " is the active controller (term " << term
              << ", metadata offset " << controller_.image()->offset() << ")";
  } else if (!leading && active_) {
    active_ = false;
    controller_.Deactivate();
    FailAll(NotController());
    LOG(INFO) << "Node " << options_.node_id << " is no longer the active controller (term " << term
              << ")";
  }
}

void QuorumController::Tick(TimePoint now) {
  const auto gap = now - last_tick_;
  last_tick_ = now;
  if (!active_) return;
  if (gap > options_.controller.broker_session_timeout / 2) {
    // We were paused (or starved); brokers were not heard because of us.
    LOG(WARNING) << "Controller timer stalled for "
                 << std::chrono::duration_cast<std::chrono::milliseconds>(gap).count()
                 << " ms; extending broker sessions";
    controller_.ExtendSessions(gap);
  }
  // Timer work waits for a clean pipeline instead of queueing (the next tick
  // retries).
  if (barrier_inflight_ || speculative_dirty_) return;
  auto internal = [this, now](std::function<std::vector<MetadataRecord>(Controller&)> work) {
    Op op;
    op.internal = true;
    op.compute = [work = std::move(work)](Controller& c, TimePoint) { return work(c); };
    HandleOp(std::move(op), now);
  };
  internal([this, now](Controller& c) {
    auto r = c.FenceExpiredBrokers(now);
    if (!r.response.empty()) {
      absl::MutexLock lock(&stats_mu_);
      fenced_by_liveness_ += static_cast<int64_t>(r.response.size());
    }
    return std::move(r.records);
  });
  if (now - last_offline_election_ >= options_.offline_election_interval) {
    last_offline_election_ = now;
    internal([](Controller& c) { return c.ElectOfflineLeaders(); });
  }
  if (options_.controller.auto_leader_rebalance_enable &&
      now - last_rebalance_ >= options_.controller.leader_imbalance_check_interval) {
    last_rebalance_ = now;
    internal([](Controller& c) { return c.RebalanceLeaders(); });
  }
}

}  // namespace gregor::controller
