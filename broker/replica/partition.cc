#include "broker/replica/partition.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/storage/storage_error.h"
#include "glog/logging.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::broker {
namespace {

bool Contains(const std::vector<BrokerId>& v, BrokerId x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Calls fn(header, position) for each batch of a buffer the log accepted.
template <typename Fn>
void ForEachBatch(std::span<const char> buf, Fn&& fn) {
  size_t pos = 0;
  while (buf.size() - pos >= kafka::kBatchHeaderSize) {
    kafka::BatchHeader h = kafka::ParseBatchHeader(buf.data() + pos);
    if (h.batch_length < 0 || h.total_size() > buf.size() - pos) return;
    fn(h);
    pos += h.total_size();
  }
}

}  // namespace

int16_t StorageErrorCode(const absl::Status& s) {
  if (s.ok()) return errc::kNone;
  std::optional<storage::StorageError> e = storage::GetStorageError(s);
  if (!e.has_value()) return errc::kKafkaStorageError;
  switch (*e) {
    case storage::StorageError::kOffsetOutOfRange:
      return errc::kOffsetOutOfRange;
    case storage::StorageError::kCorruptMessage:
      return errc::kCorruptMessage;
    case storage::StorageError::kMessageTooLarge:
      return errc::kMessageTooLarge;
    case storage::StorageError::kRecordListTooLarge:
      return errc::kRecordListTooLarge;
    case storage::StorageError::kInvalidRecord:
      return errc::kInvalidRecord;
    case storage::StorageError::kLogClosed:
      return errc::kNotLeaderOrFollower;
    default:
      return errc::kKafkaStorageError;
  }
}

Partition::Partition(std::string topic, Uuid topic_id, int32_t index,
                     std::shared_ptr<storage::Log> log, Clock* clock, PartitionOptions options)
    : topic_(std::move(topic)),
      topic_id_(topic_id),
      index_(index),
      log_(std::move(log)),
      clock_(clock),
      options_(options) {
  hw_.store(log_->high_watermark().value(), std::memory_order_release);
}

// ---- role ----------------------------------------------------------------------------

bool Partition::ApplyRegistrationLocked(const PartitionRegistration& reg) {
  if (role_ != Role::kNone) {
    if (reg.leader_epoch < reg_.leader_epoch) return false;
    if (reg.leader_epoch == reg_.leader_epoch && reg.partition_epoch < reg_.partition_epoch) {
      return false;
    }
  }
  reg_ = reg;
  return true;
}

bool Partition::MakeLeader(const PartitionRegistration& reg) {
  absl::MutexLock l(&mu_);
  const bool new_epoch = role_ != Role::kLeader || reg.leader_epoch != reg_.leader_epoch;
  if (!ApplyRegistrationLocked(reg)) return false;
  if (new_epoch) {
    absl::Status s = log_->AssignEpochStartOffset(reg.leader_epoch, log_->log_end_offset());
    if (!s.ok()) LOG(ERROR) << topic_ << "-" << index_ << ": cannot record leader epoch: " << s;
    followers_.clear();
    pending_isr_.reset();
  }
  const int64_t now = clock_->WallMillis();
  for (BrokerId r : reg.replicas) {
    if (r == options_.local_broker_id) continue;
    auto [it, inserted] = followers_.try_emplace(r);
    // A follower in the ISR at election time counts as caught up now, so it
    // is not dropped before it had a chance to fetch.
    if (inserted) it->second.last_caught_up_ms = Contains(reg.isr, r) ? now : 0;
  }
  for (auto it = followers_.begin(); it != followers_.end();) {
    if (!Contains(reg.replicas, it->first)) {
      followers_.erase(it++);
    } else {
      ++it;
    }
  }
  if (pending_isr_.has_value() && !new_epoch) pending_isr_.reset();
  role_ = Role::kLeader;
  AdvanceHighWatermarkLocked();
  return true;
}

bool Partition::MakeFollower(const PartitionRegistration& reg) {
  absl::MutexLock l(&mu_);
  if (!ApplyRegistrationLocked(reg)) return false;
  role_ = Role::kFollower;
  followers_.clear();
  pending_isr_.reset();
  return true;
}

void Partition::MakeOffline() {
  absl::MutexLock l(&mu_);
  role_ = Role::kNone;
  followers_.clear();
  pending_isr_.reset();
}

bool Partition::is_leader() const {
  absl::ReaderMutexLock l(&mu_);
  return role_ == Role::kLeader;
}
BrokerId Partition::leader_id() const {
  absl::ReaderMutexLock l(&mu_);
  return reg_.leader;
}
LeaderEpoch Partition::leader_epoch() const {
  absl::ReaderMutexLock l(&mu_);
  return reg_.leader_epoch;
}
PartitionEpoch Partition::partition_epoch() const {
  absl::ReaderMutexLock l(&mu_);
  return reg_.partition_epoch;
}
std::vector<BrokerId> Partition::isr() const {
  absl::ReaderMutexLock l(&mu_);
  return reg_.isr;
}
std::vector<BrokerId> Partition::replicas() const {
  absl::ReaderMutexLock l(&mu_);
  return reg_.replicas;
}

std::vector<Partition::ProducerSnapshot> Partition::ActiveProducers() const {
  absl::ReaderMutexLock l(&mu_);
  std::vector<ProducerSnapshot> out;
  producers_.ForEach([&](int64_t id, const ProducerEntry& e) {
    ProducerSnapshot s;
    s.producer_id = id;
    s.epoch = e.epoch;
    if (!e.batches.empty()) s.last_sequence = e.batches.back().last_seq;
    s.last_timestamp = e.last_timestamp;
    if (e.txn_first_offset.has_value()) s.txn_start_offset = *e.txn_first_offset;
    out.push_back(s);
  });
  std::sort(out.begin(), out.end(),
            [](const ProducerSnapshot& a, const ProducerSnapshot& b) { return a.producer_id < b.producer_id; });
  return out;
}

Offset Partition::last_stable_offset() const {
  absl::ReaderMutexLock l(&mu_);
  int64_t lso = hw_.load(std::memory_order_acquire);
  std::optional<int64_t> unstable = producers_.FirstUnstableOffset();
  if (unstable.has_value()) lso = std::min(lso, *unstable);
  return Offset(lso);
}

int16_t Partition::CheckEpochLocked(LeaderEpoch current) const {
  if (current.value() < 0) return errc::kNone;
  if (current < reg_.leader_epoch) return errc::kFencedLeaderEpoch;
  if (current > reg_.leader_epoch) return errc::kUnknownLeaderEpoch;
  return errc::kNone;
}

// ---- produce ------------------------------------------------------------------------------

Partition::AppendOutcome Partition::AppendAsLeader(std::span<char> batches,
                                                   int16_t required_acks,
                                                   int32_t min_insync_replicas,
                                                   storage::AppendOrigin origin) {
  AppendOutcome out;
  absl::MutexLock l(&mu_);
  if (role_ != Role::kLeader) {
    out.error_code = errc::kNotLeaderOrFollower;
    return out;
  }
  if (required_acks == -1 && static_cast<int32_t>(reg_.isr.size()) < min_insync_replicas) {
    out.error_code = errc::kNotEnoughReplicas;
    out.error_message = absl::StrCat("The size of the current ISR ", reg_.isr.size(),
                                     " is insufficient to satisfy the min.isr requirement of ",
                                     min_insync_replicas, " for partition ", topic_, "-", index_);
    return out;
  }
  // Idempotence: a duplicate batch makes the whole append a no-op answered
  // with the original offsets; a bad sequence or epoch fails it.
  bool stop = false;
  ForEachBatch(batches, [&](const kafka::BatchHeader& h) {
    if (stop || !h.has_producer_id()) return;
    ProducerCheck c = producers_.Check(h);
    if (c.kind == ProducerCheck::Kind::kDuplicate) {
      out.duplicate = true;
      out.base_offset = Offset(c.duplicate_of.first_offset);
      out.last_offset = Offset(c.duplicate_of.last_offset);
      out.log_start_offset = log_->log_start_offset();
      stop = true;
    } else if (c.kind == ProducerCheck::Kind::kError) {
      out.error_code = c.error_code;
      out.error_message = std::move(c.message);
      stop = true;
    }
  });
  if (stop) return out;
  absl::StatusOr<storage::AppendResult> r =
      log_->AppendAsLeader(batches, reg_.leader_epoch, origin);
  if (!r.ok()) {
    out.error_code = StorageErrorCode(r.status());
    out.error_message = std::string(r.status().message());
    return out;
  }
  ForEachBatch(batches, [&](const kafka::BatchHeader& h) { producers_.OnAppend(h); });
  out.base_offset = r->first_offset;
  out.last_offset = r->last_offset;
  out.log_append_time_ms = r->log_append_time_ms;
  out.log_start_offset = r->log_start_offset;
  AdvanceHighWatermarkLocked();
  return out;
}

std::optional<int16_t> Partition::AcksAllOutcome(Offset end, LeaderEpoch appended_in,
                                                 int32_t min_insync_replicas) const {
  absl::ReaderMutexLock l(&mu_);
  if (role_ != Role::kLeader || reg_.leader_epoch != appended_in) {
    return errc::kNotLeaderOrFollower;
  }
  if (hw_.load(std::memory_order_acquire) < end.value()) return std::nullopt;
  if (static_cast<int32_t>(reg_.isr.size()) < min_insync_replicas) {
    return errc::kNotEnoughReplicasAfterAppend;
  }
  return errc::kNone;
}

// ---- reads ----------------------------------------------------------------------------------

Partition::ReadOutcome Partition::ReadForConsumer(Offset offset, uint64_t max_bytes, bool min_one,
                                                  bool read_committed,
                                                  LeaderEpoch current_leader_epoch) const {
  ReadOutcome out;
  Offset max_offset;
  {
    absl::ReaderMutexLock l(&mu_);
    if (role_ != Role::kLeader) {
      out.error_code = errc::kNotLeaderOrFollower;
      return out;
    }
    out.error_code = CheckEpochLocked(current_leader_epoch);
    if (out.error_code != errc::kNone) return out;
    out.high_watermark = Offset(hw_.load(std::memory_order_acquire));
    out.last_stable_offset = out.high_watermark;
    std::optional<int64_t> unstable = producers_.FirstUnstableOffset();
    if (unstable.has_value() && *unstable < out.last_stable_offset.value()) {
      out.last_stable_offset = Offset(*unstable);
    }
  }
  max_offset = read_committed ? out.last_stable_offset : out.high_watermark;
  storage::ReadOptions ro;
  ro.max_offset = max_offset;
  ro.max_bytes = max_bytes;
  ro.min_one = min_one;
  absl::StatusOr<storage::ReadResult> r = log_->Read(offset, ro);
  out.log_start_offset = log_->log_start_offset();
  out.log_end_offset = log_->log_end_offset();
  if (!r.ok()) {
    out.error_code = StorageErrorCode(r.status());
    return out;
  }
  out.region = std::move(r->region);
  return out;
}

Partition::ReadOutcome Partition::ReadForFollower(BrokerId replica_id, Offset offset,
                                                  uint64_t max_bytes,
                                                  LeaderEpoch current_leader_epoch) {
  ReadOutcome out;
  {
    absl::ReaderMutexLock l(&mu_);
    if (role_ != Role::kLeader) {
      out.error_code = errc::kNotLeaderOrFollower;
      return out;
    }
    out.error_code = CheckEpochLocked(current_leader_epoch);
    if (out.error_code != errc::kNone) return out;
  }
  UpdateFollower(replica_id, offset);
  out.high_watermark = high_watermark();
  out.last_stable_offset = out.high_watermark;
  storage::ReadOptions ro;
  ro.max_bytes = max_bytes;
  ro.min_one = true;
  absl::StatusOr<storage::ReadResult> r = log_->Read(offset, ro);
  out.log_start_offset = log_->log_start_offset();
  out.log_end_offset = log_->log_end_offset();
  if (!r.ok()) {
    out.error_code = StorageErrorCode(r.status());
    return out;
  }
  out.region = std::move(r->region);
  return out;
}

// ---- replication state ----------------------------------------------------------------------

int64_t Partition::LeaderReplicatedEnd() const {
  return options_.sync_before_ack ? log_->durable_offset().value()
                                  : log_->log_end_offset().value();
}

std::vector<BrokerId> Partition::MaximalIsrLocked() const {
  std::vector<BrokerId> isr = reg_.isr;
  if (pending_isr_.has_value()) {
    for (BrokerId r : *pending_isr_) {
      if (!Contains(isr, r)) isr.push_back(r);
    }
  }
  return isr;
}

bool Partition::AdvanceHighWatermarkLocked() {
  if (role_ != Role::kLeader) return false;
  int64_t hw = std::min(LeaderReplicatedEnd(), log_->log_end_offset().value());
  for (BrokerId r : MaximalIsrLocked()) {
    if (r == options_.local_broker_id) continue;
    auto it = followers_.find(r);
    int64_t end = it == followers_.end() ? -1 : it->second.fetch_offset;
    hw = std::min(hw, end);
  }
  int64_t cur = hw_.load(std::memory_order_acquire);
  while (hw > cur) {
    if (hw_.compare_exchange_weak(cur, hw, std::memory_order_acq_rel)) {
      log_->SetHighWatermark(Offset(hw));
      return true;
    }
  }
  return false;
}

bool Partition::UpdateFollower(BrokerId replica_id, Offset fetch_offset) {
  absl::MutexLock l(&mu_);
  if (role_ != Role::kLeader) return false;
  auto it = followers_.find(replica_id);
  if (it == followers_.end()) return false;
  FollowerState& f = it->second;
  const int64_t now = clock_->WallMillis();
  const int64_t leo = log_->log_end_offset().value();
  if (fetch_offset.value() >= leo) {
    f.last_caught_up_ms = now;
  } else if (f.last_fetch_leader_leo >= 0 && fetch_offset.value() >= f.last_fetch_leader_leo) {
    f.last_caught_up_ms = std::max(f.last_caught_up_ms, f.last_fetch_ms);
  }
  f.last_fetch_leader_leo = leo;
  f.last_fetch_ms = now;
  f.fetch_offset = std::max(f.fetch_offset, fetch_offset.value());
  return AdvanceHighWatermarkLocked();
}

bool Partition::MaybeAdvanceHighWatermark() {
  absl::MutexLock l(&mu_);
  return AdvanceHighWatermarkLocked();
}

std::optional<Partition::IsrChange> Partition::ProposeIsrChange() {
  absl::MutexLock l(&mu_);
  if (role_ != Role::kLeader || pending_isr_.has_value()) return std::nullopt;
  const int64_t now = clock_->WallMillis();
  const int64_t hw = hw_.load(std::memory_order_acquire);
  const int64_t epoch_start = [&]() -> int64_t {
    for (const auto& e : log_->EpochEntries()) {
      if (e.epoch == reg_.leader_epoch) return e.start_offset.value();
    }
    return 0;
  }();
  std::vector<BrokerId> next;
  for (BrokerId r : reg_.isr) {
    if (r == options_.local_broker_id) {
      next.push_back(r);
      continue;
    }
    auto it = followers_.find(r);
    bool lagging = it == followers_.end() ||
                   now - it->second.last_caught_up_ms > options_.replica_lag_time_max_ms;
    if (!lagging) next.push_back(r);
  }
  for (BrokerId r : reg_.replicas) {
    if (Contains(next, r) || Contains(reg_.isr, r) || r == options_.local_broker_id) continue;
    auto it = followers_.find(r);
    if (it == followers_.end()) continue;
    const FollowerState& f = it->second;
    // Caught up with the HW, and fetched within this leader epoch.
    if (f.fetch_offset >= hw && f.fetch_offset >= epoch_start) next.push_back(r);
  }
  std::vector<BrokerId> a = next, b = reg_.isr;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a == b) return std::nullopt;
  pending_isr_ = next;
  return IsrChange{next, reg_.leader_epoch, reg_.partition_epoch};
}

void Partition::OnIsrChangeResult(int16_t error_code,
                                  const std::optional<PartitionRegistration>& result) {
  absl::MutexLock l(&mu_);
  pending_isr_.reset();
  if (error_code != errc::kNone || !result.has_value()) return;
  if (role_ == Role::kLeader && result->leader == options_.local_broker_id &&
      result->leader_epoch == reg_.leader_epoch && result->partition_epoch > reg_.partition_epoch) {
    reg_.isr = result->isr;
    reg_.partition_epoch = result->partition_epoch;
  }
  AdvanceHighWatermarkLocked();
}

// ---- followers ---------------------------------------------------------------------------------

absl::StatusOr<storage::AppendResult> Partition::AppendAsFollower(std::span<char> batches,
                                                                  Offset leader_high_watermark) {
  absl::MutexLock l(&mu_);
  if (role_ != Role::kFollower) {
    return absl::FailedPreconditionError(
        absl::StrCat(topic_, "-", index_, " is not a follower here"));
  }
  absl::StatusOr<storage::AppendResult> r = log_->AppendAsFollower(batches);
  if (!r.ok()) return r.status();
  ForEachBatch(batches, [&](const kafka::BatchHeader& h) { producers_.OnAppend(h); });
  int64_t hw = std::min(leader_high_watermark.value(), log_->log_end_offset().value());
  if (hw > hw_.load(std::memory_order_acquire)) {
    hw_.store(hw, std::memory_order_release);
    log_->SetHighWatermark(Offset(hw));
  }
  return r;
}

void Partition::UpdateHighWatermarkFromLeader(Offset leader_high_watermark) {
  absl::MutexLock l(&mu_);
  if (role_ != Role::kFollower) return;
  int64_t hw = std::min(leader_high_watermark.value(), log_->log_end_offset().value());
  if (hw > hw_.load(std::memory_order_acquire)) {
    hw_.store(hw, std::memory_order_release);
    log_->SetHighWatermark(Offset(hw));
  }
}

absl::Status Partition::RebuildProducerState() {
  absl::MutexLock l(&mu_);
  producers_.Clear();
  return log_->VisitBatchHeaders(log_->log_start_offset(), [&](const kafka::BatchHeader& h) {
    producers_.OnAppend(h);
    return true;
  });
}

}  // namespace gregor::broker
