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
  const bool was_leader = role_ == Role::kLeader;
  if (!ApplyRegistrationLocked(reg)) return false;
  if (!was_leader) leader_since_epoch_ = reg.leader_epoch;
  if (new_epoch) {
    std::optional<LeaderEpoch> latest = log_->LatestEpoch();
    if (latest.has_value() && *latest > reg.leader_epoch) {
      // The log has seen a newer epoch than this registration: an old image.
      // Recording the epoch would rewrite the epoch cache backwards.
      LOG(WARNING) << topic_ << "-" << index_ << ": leader epoch " << reg.leader_epoch
                   << " is older than the log's " << *latest << "; not recording it";
    } else {
      absl::Status s = log_->AssignEpochStartOffset(reg.leader_epoch, log_->log_end_offset());
      if (!s.ok()) LOG(ERROR) << topic_ << "-" << index_ << ": cannot record leader epoch: " << s;
    }
    leader_epoch_start_offset_ = log_->log_end_offset().value();
    for (const storage::EpochEntry& e : log_->EpochEntries()) {
      if (e.epoch == reg.leader_epoch) leader_epoch_start_offset_ = e.start_offset.value();
    }
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
bool Partition::is_follower() const {
  absl::ReaderMutexLock l(&mu_);
  return role_ == Role::kFollower;
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
                                                   const storage::LeaderAppendOptions& options,
                                                   std::optional<LeaderEpoch> expected_leader_epoch) {
  AppendOutcome out;
  absl::MutexLock l(&mu_);
  if (role_ != Role::kLeader) {
    out.error_code = errc::kNotLeaderOrFollower;
    return out;
  }
  if (expected_leader_epoch.has_value() && *expected_leader_epoch != reg_.leader_epoch) {
    out.error_code = errc::kNotLeaderOrFollower;
    out.error_message = absl::StrCat("leader epoch ", expected_leader_epoch->value(),
                                     " is not the current ", reg_.leader_epoch.value());
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
      log_->AppendAsLeader(batches, reg_.leader_epoch, options);
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
  if (role_ != Role::kLeader || appended_in < leader_since_epoch_ ||
      appended_in > reg_.leader_epoch) {
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

}  // namespace gregor::broker
