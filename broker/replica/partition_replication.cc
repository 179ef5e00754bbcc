// Partition: the replication half — the leader's view of its followers (HW,
// ISR proposals, serving follower fetches) and the follower's writes
// (appends, truncation). See partition.h.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/replica/partition.h"
#include "common/status.h"
#include "glog/logging.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::broker {
namespace {

bool Contains(const std::vector<BrokerId>& v, BrokerId x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

// ---- leader: serving followers ---------------------------------------------------------

Partition::FollowerReadOutcome Partition::ReadForFollower(const FollowerFetch& fetch) {
  FollowerReadOutcome out;
  {
    absl::MutexLock l(&mu_);
    if (role_ != Role::kLeader) {
      out.error_code = errc::kNotLeaderOrFollower;
      return out;
    }
    out.error_code = CheckEpochLocked(fetch.current_leader_epoch);
    if (out.error_code != errc::kNone) return out;
    if (!followers_.contains(fetch.replica_id)) {
      // Not (or not yet) a replica in the registration we lead with.
      out.error_code = errc::kNotLeaderOrFollower;
      return out;
    }
    out.log_start_offset = log_->log_start_offset();
    out.log_end_offset = log_->log_end_offset();
    out.high_watermark = high_watermark();
    // Below our log start: the follower must restart, whatever its epochs.
    if (fetch.fetch_offset < out.log_start_offset) {
      out.error_code = errc::kOffsetOutOfRange;
      return out;
    }
    if (fetch.last_fetched_epoch.value() >= 0) {
      storage::EpochEndOffset e = log_->EndOffsetForEpoch(fetch.last_fetched_epoch);
      if (e.epoch == storage::kUndefinedEpoch || e.end_offset == storage::kUndefinedEpochOffset) {
        // We cannot tell where the follower's epoch ends here.
        out.error_code = errc::kOffsetOutOfRange;
        return out;
      }
      if (e.epoch < fetch.last_fetched_epoch || e.end_offset < fetch.fetch_offset) {
        out.diverging = e;  // truncate first; its position does not count
        return out;
      }
    }
    if (fetch.fetch_offset > out.log_end_offset) {
      out.error_code = errc::kOffsetOutOfRange;
      return out;
    }
    if (fetch.update_state) {
      out.high_watermark_advanced =
          UpdateFollowerLocked(fetch.replica_id, fetch.fetch_offset, fetch.broker_epoch);
    }
    const int64_t hw = hw_.load(std::memory_order_acquire);
    out.may_join_isr = !Contains(reg_.isr, fetch.replica_id) && !pending_isr_.has_value() &&
                       fetch.fetch_offset.value() >= hw &&
                       fetch.fetch_offset.value() >= leader_epoch_start_offset_;
  }
  storage::ReadOptions ro;
  ro.max_bytes = fetch.max_bytes;
  ro.min_one = fetch.min_one;
  absl::StatusOr<storage::ReadResult> r = log_->Read(fetch.fetch_offset, ro);
  out.high_watermark = high_watermark();
  out.log_start_offset = log_->log_start_offset();
  out.log_end_offset = log_->log_end_offset();
  if (!r.ok()) {
    out.error_code = StorageErrorCode(r.status());
    return out;
  }
  out.region = std::move(r->region);
  return out;
}

bool Partition::HasNewsForFollower(Offset fetch_offset, Offset high_watermark_sent,
                                   LeaderEpoch leader_epoch) const {
  {
    absl::ReaderMutexLock l(&mu_);
    if (role_ != Role::kLeader || reg_.leader_epoch != leader_epoch) return true;
  }
  return log_->log_end_offset() > fetch_offset || high_watermark() > high_watermark_sent;
}

Partition::EpochEndOutcome Partition::EndOffsetForEpoch(LeaderEpoch current_leader_epoch,
                                                        LeaderEpoch requested) const {
  EpochEndOutcome out;
  absl::ReaderMutexLock l(&mu_);
  if (role_ != Role::kLeader) {
    out.error_code = errc::kNotLeaderOrFollower;
    return out;
  }
  out.error_code = CheckEpochLocked(current_leader_epoch);
  if (out.error_code != errc::kNone) return out;
  out.end = log_->EndOffsetForEpoch(requested);
  return out;
}

// ---- leader: HW and ISR ------------------------------------------------------------------

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
  for (BrokerId r : reg_.isr) {
    if (r == options_.local_broker_id) continue;
    auto it = followers_.find(r);
    hw = std::min(hw, it == followers_.end() ? -1 : it->second.fetch_offset);
  }
  if (pending_isr_.has_value()) {
    for (BrokerId r : *pending_isr_) {
      if (r == options_.local_broker_id || Contains(reg_.isr, r)) continue;
      auto it = followers_.find(r);
      hw = std::min(hw, it == followers_.end() ? -1 : it->second.fetch_offset);
    }
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

bool Partition::UpdateFollower(BrokerId replica_id, Offset fetch_offset, int64_t broker_epoch) {
  absl::MutexLock l(&mu_);
  if (role_ != Role::kLeader) return false;
  return UpdateFollowerLocked(replica_id, fetch_offset, broker_epoch);
}

bool Partition::UpdateFollowerLocked(BrokerId replica_id, Offset fetch_offset,
                                     int64_t broker_epoch) {
  auto it = followers_.find(replica_id);
  if (it == followers_.end()) return false;
  FollowerState& f = it->second;
  const int64_t now = clock_->WallMillis();
  const int64_t leo = log_->log_end_offset().value();
  if (broker_epoch >= 0 && f.broker_epoch >= 0 && broker_epoch != f.broker_epoch) {
    // The follower process restarted: what we knew of it is void.
    f.last_fetch_leader_leo = -1;
  }
  if (broker_epoch >= 0) f.broker_epoch = broker_epoch;
  if (fetch_offset.value() >= leo) {
    f.last_caught_up_ms = now;
  } else if (f.last_fetch_leader_leo >= 0 && fetch_offset.value() >= f.last_fetch_leader_leo) {
    f.last_caught_up_ms = std::max(f.last_caught_up_ms, f.last_fetch_ms);
  }
  f.last_fetch_leader_leo = leo;
  f.last_fetch_ms = now;
  // The latest position, not the largest: a follower only goes back after
  // it lost records (a restart without them), and then it does not hold them.
  f.fetch_offset = fetch_offset.value();
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
    if (f.fetch_offset >= hw && f.fetch_offset >= leader_epoch_start_offset_ &&
        now - f.last_caught_up_ms <= options_.replica_lag_time_max_ms) {
      next.push_back(r);
    }
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
  if (error_code != errc::kNone || !result.has_value()) {
    AdvanceHighWatermarkLocked();
    return;
  }
  if (role_ == Role::kLeader && result->leader == options_.local_broker_id &&
      result->leader_epoch == reg_.leader_epoch && result->partition_epoch > reg_.partition_epoch) {
    reg_.isr = result->isr;
    reg_.partition_epoch = result->partition_epoch;
  }
  AdvanceHighWatermarkLocked();
}

// ---- follower ----------------------------------------------------------------------------

absl::Status Partition::CheckFollowerEpochLocked(LeaderEpoch fetched_in) const {
  if (role_ != Role::kFollower) {
    return absl::FailedPreconditionError(
        absl::StrCat(topic_, "-", index_, " is not a follower here"));
  }
  if (reg_.leader_epoch != fetched_in) {
    return absl::FailedPreconditionError(absl::StrCat(topic_, "-", index_, " is at leader epoch ",
                                                      reg_.leader_epoch.value(), ", not ",
                                                      fetched_in.value()));
  }
  return absl::OkStatus();
}

void Partition::SetFollowerHighWatermarkLocked(Offset leader_high_watermark) {
  int64_t hw = std::min(leader_high_watermark.value(), log_->log_end_offset().value());
  if (hw > hw_.load(std::memory_order_acquire)) {
    hw_.store(hw, std::memory_order_release);
    log_->SetHighWatermark(Offset(hw));
  }
}

absl::StatusOr<storage::AppendResult> Partition::AppendAsFollower(std::span<char> batches,
                                                                  Offset leader_high_watermark,
                                                                  LeaderEpoch fetched_in) {
  absl::MutexLock l(&mu_);
  RETURN_IF_ERROR(CheckFollowerEpochLocked(fetched_in));
  absl::StatusOr<storage::AppendResult> r = log_->AppendAsFollower(batches);
  if (!r.ok()) return r.status();
  size_t pos = 0;
  while (batches.size() - pos >= kafka::kBatchHeaderSize) {
    kafka::BatchHeader h = kafka::ParseBatchHeader(batches.data() + pos);
    if (h.batch_length < 0 || h.total_size() > batches.size() - pos) break;
    producers_.OnAppend(h);
    pos += h.total_size();
  }
  SetFollowerHighWatermarkLocked(leader_high_watermark);
  return r;
}

absl::Status Partition::UpdateHighWatermarkFromLeader(Offset leader_high_watermark,
                                                      LeaderEpoch fetched_in) {
  absl::MutexLock l(&mu_);
  RETURN_IF_ERROR(CheckFollowerEpochLocked(fetched_in));
  SetFollowerHighWatermarkLocked(leader_high_watermark);
  return absl::OkStatus();
}

absl::Status Partition::TruncateTo(Offset offset, LeaderEpoch fetched_in) {
  absl::MutexLock l(&mu_);
  RETURN_IF_ERROR(CheckFollowerEpochLocked(fetched_in));
  if (offset >= log_->log_end_offset()) {
    // No record goes, but the log still drops epochs that start at its end
    // with nothing in them (see Log::TruncateTo); the producer state and the
    // HW are unchanged.
    return log_->TruncateTo(log_->log_end_offset());
  }
  LOG(INFO) << topic_ << "-" << index_ << ": truncating from " << log_->log_end_offset() << " to "
            << offset << " (leader epoch " << fetched_in << ")";
  RETURN_IF_ERROR(log_->TruncateTo(offset));
  if (hw_.load(std::memory_order_acquire) > log_->log_end_offset().value()) {
    hw_.store(log_->log_end_offset().value(), std::memory_order_release);
  }
  return RebuildProducerStateLocked();
}

absl::Status Partition::TruncateFullyAndStartAt(Offset offset, LeaderEpoch fetched_in) {
  absl::MutexLock l(&mu_);
  RETURN_IF_ERROR(CheckFollowerEpochLocked(fetched_in));
  LOG(INFO) << topic_ << "-" << index_ << ": restarting the log at " << offset
            << " (was " << log_->log_start_offset() << ".." << log_->log_end_offset() << ")";
  RETURN_IF_ERROR(log_->TruncateFullyAndStartAt(offset));
  hw_.store(log_->high_watermark().value(), std::memory_order_release);
  producers_.Clear();
  return absl::OkStatus();
}

Partition::FollowerPosition Partition::follower_position() const {
  FollowerPosition p;
  p.log_end_offset = log_->log_end_offset();
  p.log_start_offset = log_->log_start_offset();
  p.high_watermark = high_watermark();
  p.last_fetched_epoch = log_->LatestEpoch().value_or(storage::kUndefinedEpoch);
  return p;
}

absl::Status Partition::RebuildProducerState() {
  absl::MutexLock l(&mu_);
  return RebuildProducerStateLocked();
}

absl::Status Partition::RebuildProducerStateLocked() {
  producers_.Clear();
  return log_->VisitBatchHeaders(log_->log_start_offset(), [&](const kafka::BatchHeader& h) {
    producers_.OnAppend(h);
    return true;
  });
}

}  // namespace gregor::broker
