#include "broker/replica/replica_fetcher.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/replica/truncation.h"
#include "broker/storage/storage_error.h"
#include "glog/logging.h"

namespace gregor::broker {
namespace {

using std::chrono::milliseconds;

std::string Name(const Partition& p) { return absl::StrCat(p.topic(), "-", p.index()); }

bool Is(const absl::Status& s, storage::StorageError e) {
  std::optional<storage::StorageError> got = storage::GetStorageError(s);
  return got.has_value() && *got == e;
}

}  // namespace

ReplicaFetcher::ReplicaFetcher(BrokerId leader, std::unique_ptr<LeaderEndpoint> endpoint,
                               ReplicaFetcherOptions options, Clock* clock)
    : leader_(leader), endpoint_(std::move(endpoint)), options_(std::move(options)), clock_(clock) {
  stats_.leader = leader_;
  stats_.address = endpoint_->address();
}

ReplicaFetcher::~ReplicaFetcher() { Stop(); }

void ReplicaFetcher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ReplicaFetcher::Stop() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
    cv_.SignalAll();
  }
  endpoint_->Interrupt();
  if (thread_.joinable()) thread_.join();
}

bool ReplicaFetcher::Add(std::shared_ptr<Partition> p, LeaderEpoch leader_epoch) {
  absl::MutexLock l(&mu_);
  Key key{p->topic_id(), p->index()};
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (!inserted && e.partition == p && e.leader_epoch == leader_epoch && e.state != State::kFailed) {
    return false;
  }
  e = Entry{};
  e.partition = std::move(p);
  e.leader_epoch = leader_epoch;
  e.state = State::kTruncating;
  e.generation = next_generation_++;
  changed_ = true;
  cv_.SignalAll();
  return true;
}

void ReplicaFetcher::Remove(const Uuid& topic_id, int32_t partition) {
  absl::MutexLock l(&mu_);
  entries_.erase(Key{topic_id, partition});
}

void ReplicaFetcher::Wake() { endpoint_->Interrupt(); }

size_t ReplicaFetcher::partition_count() const {
  absl::MutexLock l(&mu_);
  return entries_.size();
}

std::vector<std::pair<std::shared_ptr<Partition>, LeaderEpoch>> ReplicaFetcher::partitions() const {
  absl::MutexLock l(&mu_);
  std::vector<std::pair<std::shared_ptr<Partition>, LeaderEpoch>> out;
  out.reserve(entries_.size());
  for (const auto& [k, e] : entries_) out.emplace_back(e.partition, e.leader_epoch);
  return out;
}

ReplicaFetcherStats ReplicaFetcher::stats() const {
  absl::MutexLock l(&mu_);
  ReplicaFetcherStats s = stats_;
  s.partitions = static_cast<int64_t>(entries_.size());
  s.partitions_failed = 0;
  for (const auto& [k, e] : entries_) s.partitions_failed += e.state == State::kFailed;
  return s;
}

std::optional<ReplicaFetcher::State> ReplicaFetcher::state(const Uuid& topic_id,
                                                           int32_t partition) const {
  absl::MutexLock l(&mu_);
  auto it = entries_.find(Key{topic_id, partition});
  if (it == entries_.end()) return std::nullopt;
  if (it->second.state != State::kFailed && it->second.retry_at > clock_->Now()) {
    return State::kDelayed;
  }
  return it->second.state;
}

// ---- the loop ------------------------------------------------------------------------------

void ReplicaFetcher::Run() {
  absl::MutexLock l(&mu_);
  while (!stop_) {
    mu_.Unlock();
    bool worked = RunOnce();
    mu_.Lock();
    if (worked || stop_ || changed_) continue;
    auto wait = std::chrono::duration_cast<milliseconds>(NextWake() - clock_->Now());
    wait = std::clamp(wait, milliseconds(1), milliseconds(1000));
    cv_.WaitWithTimeout(&mu_, absl::FromChrono(wait));
  }
}

std::chrono::steady_clock::time_point ReplicaFetcher::NextWake() const {
  auto next = clock_->Now() + milliseconds(1000);
  if (backoff_until_ > clock_->Now()) return backoff_until_;
  for (const auto& [k, e] : entries_) {
    if (e.state != State::kFailed) next = std::min(next, e.retry_at);
  }
  return next;
}

std::vector<ReplicaFetcher::Work> ReplicaFetcher::TakeReady(State state) {
  const auto now = clock_->Now();
  std::vector<Work> out;
  for (const auto& [k, e] : entries_) {
    if (e.state != state || e.retry_at > now) continue;
    out.push_back(Work{k, e.partition, e.leader_epoch, e.generation, e.truncation_rounds,
                       e.query_epoch});
  }
  return out;
}

bool ReplicaFetcher::RunOnce() {
  std::vector<Work> truncating, fetching;
  {
    absl::MutexLock l(&mu_);
    if (stop_ || clock_->Now() < backoff_until_) return false;
    changed_ = false;
    truncating = TakeReady(State::kTruncating);
    fetching = TakeReady(State::kFetching);
    if (!fetching.empty()) {
      // Round robin over the partitions, a bounded number per request.
      std::rotate(fetching.begin(), fetching.begin() + (rotation_++ % fetching.size()),
                  fetching.end());
      if (fetching.size() > static_cast<size_t>(options_.max_partitions_per_request)) {
        fetching.resize(static_cast<size_t>(options_.max_partitions_per_request));
      }
    }
  }
  if (truncating.empty() && fetching.empty()) return false;
  if (!truncating.empty()) Truncate(truncating);
  if (!fetching.empty()) Fetch(fetching);
  return true;
}

void ReplicaFetcher::Apply(const std::vector<std::pair<Work, Outcome>>& outcomes) {
  absl::MutexLock l(&mu_);
  const auto now = clock_->Now();
  for (const auto& [w, o] : outcomes) {
    auto it = entries_.find(w.key);
    if (it == entries_.end() || it->second.generation != w.generation) continue;  // moved on
    Entry& e = it->second;
    switch (o.next) {
      case Next::kFetch:
        e.state = State::kFetching;
        e.retry_at = {};
        e.truncation_rounds = 0;
        e.query_epoch = LeaderEpoch(-1);
        break;
      case Next::kTruncate:
        e.state = State::kTruncating;
        e.truncation_rounds = w.truncation_rounds + 1;
        e.query_epoch = o.query_epoch;
        break;
      case Next::kDelay:
        e.retry_at = now + o.delay;
        break;
      case Next::kFail:
        e.state = State::kFailed;
        break;
      case Next::kKeep:
        break;
    }
  }
}

void ReplicaFetcher::OnEndpointFailure(const absl::Status& s) {
  absl::MutexLock l(&mu_);
  ++stats_.fetch_errors;
  const bool was_connected = stats_.connected;
  stats_.connected = false;
  backoff_ = backoff_.count() == 0 ? options_.backoff_min
                                   : std::min(backoff_ * 2, options_.backoff_max);
  backoff_until_ = clock_->Now() + backoff_;
  if (was_connected) {
    LOG(WARNING) << "replica fetcher for leader " << leader_ << " (" << endpoint_->address()
                 << "): " << s << "; backing off";
  } else {
    LOG_EVERY_N(WARNING, 50) << "replica fetcher for leader " << leader_ << " ("
                             << endpoint_->address() << ") still failing: " << s;
  }
}

// ---- truncation ------------------------------------------------------------------------------

ReplicaFetcher::Outcome ReplicaFetcher::ApplyTruncation(const Work& w,
                                                        const storage::EpochEndOffset& answer) {
  Partition& p = *w.partition;
  Partition::FollowerPosition pos = p.follower_position();
  FollowerLogView view{pos.log_end_offset, pos.high_watermark,
                       [&](LeaderEpoch e) { return p.log()->EndOffsetForEpoch(e); }};
  TruncationDecision d = DecideTruncation(answer, view);
  // Also at the log end: no record goes then, but an epoch this replica
  // started there without writing must (else the leader keeps answering
  // "diverging" for it).
  absl::Status s = p.TruncateTo(d.truncate_to, w.leader_epoch);
  if (absl::IsFailedPrecondition(s)) return {Next::kDelay, options_.partition_retry_backoff};
  if (!s.ok()) {
    LOG(ERROR) << Name(p) << ": truncation to " << d.truncate_to << " failed: " << s;
    return {Next::kFail};
  }
  if (d.truncate_to < pos.log_end_offset) {
    absl::MutexLock l(&mu_);
    ++stats_.truncations;
  }
  if (d.completed) return {Next::kFetch};
  if (w.truncation_rounds + 1 >= options_.max_truncation_rounds) {
    LOG(ERROR) << Name(p) << ": no truncation point after " << w.truncation_rounds + 1
               << " rounds; retrying later";
    return {Next::kDelay, options_.backoff_max};
  }
  // Ask again about the largest epoch we hold at or below the leader's.
  storage::EpochEndOffset mine = p.log()->EndOffsetForEpoch(answer.epoch);
  return {Next::kTruncate, milliseconds(0), mine.epoch};
}

void ReplicaFetcher::Truncate(const std::vector<Work>& work) {
  std::vector<std::pair<Work, Outcome>> outcomes;
  replicapb::EpochEndOffsetRequest req;
  req.set_replica_id(options_.broker_id.value());
  std::vector<const Work*> asked;
  for (const Work& w : work) {
    Partition::FollowerPosition pos = w.partition->follower_position();
    LeaderEpoch epoch = w.query_epoch.value() >= 0 ? w.query_epoch : pos.last_fetched_epoch;
    if (epoch.value() < 0) {
      // No epochs: only what the HW covers is known to be the leader's.
      Outcome o{Next::kFetch};
      if (pos.high_watermark < pos.log_end_offset) {
        o = ApplyTruncation(w, storage::EpochEndOffset{});
      }
      outcomes.emplace_back(w, o);
      continue;
    }
    auto* rp = req.add_partitions();
    rp->mutable_topic_id()->set_hi(w.key.topic_id.hi());
    rp->mutable_topic_id()->set_lo(w.key.topic_id.lo());
    rp->set_partition(w.key.partition);
    rp->set_current_leader_epoch(w.leader_epoch.value());
    rp->set_leader_epoch(epoch.value());
    asked.push_back(&w);
  }
  if (!asked.empty()) {
    absl::StatusOr<replicapb::EpochEndOffsetResponse> resp =
        endpoint_->EpochEndOffset(req, options_.request_timeout);
    if (!resp.ok()) {
      OnEndpointFailure(resp.status());
    } else {
      absl::flat_hash_map<Key, const replicapb::EpochEndOffsetResponse::Partition*> answers;
      for (const auto& rp : resp->partitions()) {
        answers[Key{Uuid(rp.topic_id().hi(), rp.topic_id().lo()), rp.partition()}] = &rp;
      }
      for (const Work* w : asked) {
        auto it = answers.find(w->key);
        Outcome o{Next::kDelay, options_.partition_retry_backoff};
        if (it != answers.end()) {
          const auto& a = *it->second;
          if (a.error_code() == errc::kNone) {
            o = ApplyTruncation(*w, storage::EpochEndOffset{LeaderEpoch(a.leader_epoch()),
                                                            Offset(a.end_offset())});
          } else if (a.error_code() == errc::kFencedLeaderEpoch) {
            o = {Next::kDelay, options_.backoff_max};  // new metadata will re-add it
          }
        }
        outcomes.emplace_back(*w, o);
      }
    }
  }
  Apply(outcomes);
}

// ---- fetching ---------------------------------------------------------------------------------

std::vector<bool> ReplicaFetcher::WaitDurable(const std::vector<Work>& work) {
  struct Waiter {
    absl::Mutex mu;
    int remaining ABSL_GUARDED_BY(mu) = 0;
    std::vector<bool> failed ABSL_GUARDED_BY(mu);
  };
  auto waiter = std::make_shared<Waiter>();
  {
    absl::MutexLock l(&waiter->mu);
    waiter->failed.assign(work.size(), false);
  }
  if (!options_.sync_before_ack) return std::vector<bool>(work.size(), false);
  for (size_t i = 0; i < work.size(); ++i) {
    const std::shared_ptr<storage::Log>& log = work[i].partition->log();
    Offset end = log->log_end_offset();
    if (log->durable_offset() >= end) continue;
    {
      absl::MutexLock l(&waiter->mu);
      ++waiter->remaining;
    }
    log->WhenDurable(end, [waiter, i](absl::Status s) {
      absl::MutexLock l(&waiter->mu);
      // A truncation below the wait is fine: the next fetch starts lower.
      if (!s.ok() && !Is(s, storage::StorageError::kTruncated)) {
        waiter->failed[i] = true;
      }
      --waiter->remaining;
    });
  }
  absl::MutexLock l(&waiter->mu);
  while (waiter->remaining > 0) {
    waiter->mu.AwaitWithTimeout(absl::Condition(
                                    +[](int* n) { return *n == 0; }, &waiter->remaining),
                                absl::Milliseconds(100));
    absl::MutexLock sl(&mu_);
    if (stop_) break;
  }
  return waiter->failed;
}

void ReplicaFetcher::Fetch(const std::vector<Work>& all) {
  std::vector<std::pair<Work, Outcome>> outcomes;
  std::vector<bool> failed = WaitDurable(all);
  std::vector<const Work*> work;
  for (size_t i = 0; i < all.size(); ++i) {
    if (failed[i]) {
      LOG(ERROR) << Name(*all[i].partition) << ": its log failed; not fetching it";
      outcomes.emplace_back(all[i], Outcome{Next::kFail});
    } else {
      work.push_back(&all[i]);
    }
  }
  if (work.empty()) {
    Apply(outcomes);
    return;
  }
  replicapb::FetchRequest req;
  req.set_replica_id(options_.broker_id.value());
  req.set_broker_epoch(options_.broker_epoch ? options_.broker_epoch() : -1);
  req.set_max_bytes(options_.max_bytes);
  req.set_min_bytes(options_.min_bytes);
  req.set_max_wait_ms(options_.max_wait_ms);
  for (const Work* w : work) {
    Partition::FollowerPosition pos = w->partition->follower_position();
    auto* fp = req.add_partitions();
    fp->mutable_topic_id()->set_hi(w->key.topic_id.hi());
    fp->mutable_topic_id()->set_lo(w->key.topic_id.lo());
    fp->set_partition(w->key.partition);
    fp->set_fetch_offset(pos.log_end_offset.value());
    fp->set_current_leader_epoch(w->leader_epoch.value());
    fp->set_last_fetched_epoch(pos.last_fetched_epoch.value());
    fp->set_log_start_offset(pos.log_start_offset.value());
    fp->set_partition_max_bytes(options_.partition_max_bytes);
  }
  absl::StatusOr<replicapb::FetchResponse> resp =
      endpoint_->Fetch(req, milliseconds(options_.max_wait_ms) + options_.request_timeout);
  if (!resp.ok()) {
    if (!absl::IsCancelled(resp.status())) OnEndpointFailure(resp.status());
    Apply(outcomes);
    return;
  }
  {
    absl::MutexLock l(&mu_);
    ++stats_.fetches;
    stats_.connected = true;
    backoff_ = milliseconds(0);
  }
  if (resp->error_code() != errc::kNone) {
    OnEndpointFailure(absl::UnavailableError(
        absl::StrCat("the leader refused the fetch with error ", resp->error_code())));
    Apply(outcomes);
    return;
  }
  absl::flat_hash_map<Key, const Work*> by_key;
  for (const Work* w : work) by_key[w->key] = w;
  for (replicapb::FetchedPartition& fp : *resp->mutable_partitions()) {
    auto it = by_key.find(Key{Uuid(fp.topic_id().hi(), fp.topic_id().lo()), fp.partition()});
    if (it == by_key.end()) continue;
    outcomes.emplace_back(*it->second, HandleFetched(*it->second, fp));
    by_key.erase(it);
  }
  Apply(outcomes);
}

ReplicaFetcher::Outcome ReplicaFetcher::HandleFetched(const Work& w,
                                                      replicapb::FetchedPartition& fp) {
  Partition& p = *w.partition;
  const int16_t error = static_cast<int16_t>(fp.error_code());
  if (error == errc::kNone) {
    if (fp.has_diverging_epoch()) {
      LOG(INFO) << Name(p) << ": the leader says our log diverges after epoch "
                << fp.diverging_epoch().epoch() << " at " << fp.diverging_epoch().end_offset();
      return ApplyTruncation(w, storage::EpochEndOffset{LeaderEpoch(fp.diverging_epoch().epoch()),
                                                        Offset(fp.diverging_epoch().end_offset())});
    }
    if (fp.records().empty()) {
      absl::Status s = p.UpdateHighWatermarkFromLeader(Offset(fp.high_watermark()), w.leader_epoch);
      if (!s.ok()) return {Next::kDelay, options_.partition_retry_backoff};
      return {Next::kFetch};
    }
    std::string* records = fp.mutable_records();
    const size_t bytes = records->size();
    absl::StatusOr<storage::AppendResult> r = p.AppendAsFollower(
        std::span<char>(records->data(), records->size()), Offset(fp.high_watermark()),
        w.leader_epoch);
    if (r.ok()) {
      absl::MutexLock l(&mu_);
      stats_.bytes += static_cast<int64_t>(bytes);
      return {Next::kFetch};
    }
    if (absl::IsFailedPrecondition(r.status())) {
      return {Next::kDelay, options_.partition_retry_backoff};  // it moved on
    }
    if (Is(r.status(), storage::StorageError::kUnexpectedAppendOffset) ||
        Is(r.status(), storage::StorageError::kCorruptMessage) ||
        Is(r.status(), storage::StorageError::kInvalidRecord)) {
      LOG(ERROR) << Name(p) << ": cannot append what the leader sent: " << r.status();
      return {Next::kDelay, options_.backoff_max};
    }
    LOG(ERROR) << Name(p) << ": follower append failed: " << r.status();
    return {Next::kFail};
  }
  if (error == errc::kOffsetOutOfRange) {
    Partition::FollowerPosition pos = p.follower_position();
    OutOfRangeDecision d = DecideOutOfRange(pos.log_end_offset, Offset(fp.log_start_offset()),
                                            Offset(fp.log_end_offset()));
    absl::Status s;
    if (d.kind == OutOfRangeDecision::Kind::kTruncateTo) {
      LOG(WARNING) << Name(p) << ": the leader's log ends at " << d.offset << ", below ours at "
                   << pos.log_end_offset;
      s = p.TruncateTo(d.offset, w.leader_epoch);
    } else {
      // Our end is below the leader's start, or the leader cannot place our
      // epochs: start over from the leader's log start.
      Offset start(std::max<int64_t>(fp.log_start_offset(), 0));
      s = p.TruncateFullyAndStartAt(start, w.leader_epoch);
    }
    if (absl::IsFailedPrecondition(s)) return {Next::kDelay, options_.partition_retry_backoff};
    if (!s.ok()) {
      LOG(ERROR) << Name(p) << ": " << s;
      return {Next::kFail};
    }
    absl::MutexLock l(&mu_);
    ++stats_.truncations;
    return {Next::kFetch};
  }
  if (error == errc::kFencedLeaderEpoch) {
    // We are behind on metadata; the update re-adds the partition.
    return {Next::kDelay, options_.backoff_max};
  }
  if (error == errc::kNotLeaderOrFollower || error == errc::kUnknownLeaderEpoch ||
      error == errc::kUnknownTopicOrPartition) {
    return {Next::kDelay, options_.partition_retry_backoff};
  }
  LOG_EVERY_N(WARNING, 20) << Name(p) << ": fetch error " << error << " from leader " << leader_;
  return {Next::kDelay, options_.backoff_max};
}

}  // namespace gregor::broker
