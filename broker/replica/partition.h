// One replica of a partition on this broker: its log, its role (leader,
// follower or none) as the controller's metadata says, and — as leader — the
// replication state of every follower, the in-sync replica set (ISR) and the
// high watermark (HW).
//
// High watermark. As leader the HW is the smallest "replicated end" over the
// ISR: a follower's end is the offset it last fetched from (followers only
// fetch again once what they hold is durable when sync_before_ack is on), the
// leader's own end is its log end, or its durable (fdatasync'ed) end when
// sync_before_ack is on. The HW only moves forward. An acks=all produce is
// complete when the HW passes its last offset, so an acknowledged record is on
// disk on every ISR member. Consumers never read at or beyond the HW.
//
// ISR changes are proposed to the controller (AlterPartition) and used only
// once committed; while a change is in flight the HW is computed over the
// larger of the two sets ("maximal ISR", as Kafka does), so it never moves
// past what the committed ISR holds.
//
// Thread-safety: thread-safe. Appends serialise on the partition's lock (the
// producer-state check and the log write are one step); reads take it shared
// only to check the role and epoch.
#ifndef GREGOR_BROKER_REPLICA_PARTITION_H_
#define GREGOR_BROKER_REPLICA_PARTITION_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "broker/replica/producer_state.h"
#include "broker/storage/log.h"
#include "common/metadata/partition_registration.h"
#include "common/clock.h"
#include "common/strong_int.h"
#include "common/uuid.h"
#include "proto/kafka/errors.h"

namespace gregor::broker {

using metadata::PartitionRegistration;

// Kafka error codes the partition returns (per-partition errors are data),
// as wire values; the one table is proto/kafka/errors.h.
namespace errc {
inline constexpr int16_t kNone = kafka::ToWire(kafka::ErrorCode::kNone);
inline constexpr int16_t kOffsetOutOfRange = kafka::ToWire(kafka::ErrorCode::kOffsetOutOfRange);
inline constexpr int16_t kCorruptMessage = kafka::ToWire(kafka::ErrorCode::kCorruptMessage);
inline constexpr int16_t kUnknownTopicOrPartition = kafka::ToWire(kafka::ErrorCode::kUnknownTopicOrPartition);
inline constexpr int16_t kNotLeaderOrFollower = kafka::ToWire(kafka::ErrorCode::kNotLeaderOrFollower);
inline constexpr int16_t kRequestTimedOut = kafka::ToWire(kafka::ErrorCode::kRequestTimedOut);
inline constexpr int16_t kMessageTooLarge = kafka::ToWire(kafka::ErrorCode::kMessageTooLarge);
inline constexpr int16_t kRecordListTooLarge = kafka::ToWire(kafka::ErrorCode::kRecordListTooLarge);
inline constexpr int16_t kNotEnoughReplicas = kafka::ToWire(kafka::ErrorCode::kNotEnoughReplicas);
inline constexpr int16_t kNotEnoughReplicasAfterAppend = kafka::ToWire(kafka::ErrorCode::kNotEnoughReplicasAfterAppend);
inline constexpr int16_t kInvalidRequiredAcks = kafka::ToWire(kafka::ErrorCode::kInvalidRequiredAcks);
inline constexpr int16_t kOutOfOrderSequenceNumber = kafka::ToWire(kafka::ErrorCode::kOutOfOrderSequenceNumber);
inline constexpr int16_t kInvalidProducerEpoch = kafka::ToWire(kafka::ErrorCode::kInvalidProducerEpoch);
inline constexpr int16_t kKafkaStorageError = kafka::ToWire(kafka::ErrorCode::kKafkaStorageError);
inline constexpr int16_t kFencedLeaderEpoch = kafka::ToWire(kafka::ErrorCode::kFencedLeaderEpoch);
inline constexpr int16_t kUnknownLeaderEpoch = kafka::ToWire(kafka::ErrorCode::kUnknownLeaderEpoch);
inline constexpr int16_t kInvalidRecord = kafka::ToWire(kafka::ErrorCode::kInvalidRecord);
}  // namespace errc

struct PartitionOptions {
  BrokerId local_broker_id{-1};
  // Followers that have not caught up for this long leave the ISR.
  int64_t replica_lag_time_max_ms = 30000;
  // The leader's own replicated end is its durable end (fsync before ack).
  bool sync_before_ack = true;
};

class Partition {
 public:
  Partition(std::string topic, Uuid topic_id, int32_t index, std::shared_ptr<storage::Log> log,
            Clock* clock, PartitionOptions options);

  const std::string& topic() const { return topic_; }
  const Uuid& topic_id() const { return topic_id_; }
  int32_t index() const { return index_; }
  const std::shared_ptr<storage::Log>& log() const { return log_; }

  // ---- role changes (from metadata) ----
  // Applies a registration in which this broker leads (or follows). Returns
  // false when the registration is older than the one applied (ignored).
  bool MakeLeader(const PartitionRegistration& reg);
  bool MakeFollower(const PartitionRegistration& reg);
  // No longer a replica (or the topic is gone): stops serving.
  void MakeOffline();

  bool is_leader() const;
  bool is_follower() const;
  BrokerId leader_id() const;
  LeaderEpoch leader_epoch() const;
  PartitionEpoch partition_epoch() const;
  std::vector<BrokerId> isr() const;
  std::vector<BrokerId> replicas() const;
  Offset high_watermark() const { return Offset(hw_.load(std::memory_order_acquire)); }
  Offset log_end_offset() const { return log_->log_end_offset(); }
  Offset log_start_offset() const { return log_->log_start_offset(); }
  // Last stable offset: the HW, or the first offset of the oldest open
  // transaction when that is lower.
  Offset last_stable_offset() const;

  // ---- traffic counters (/metrics, per topic) ----
  // Client traffic only (replication is counted by the replica fetchers).
  // Lock-free; the Kafka handlers count what they appended and served.
  void CountIn(uint64_t bytes, uint64_t messages) {
    bytes_in_.fetch_add(bytes, std::memory_order_relaxed);
    messages_in_.fetch_add(messages, std::memory_order_relaxed);
  }
  void CountOut(uint64_t bytes) { bytes_out_.fetch_add(bytes, std::memory_order_relaxed); }
  uint64_t bytes_in() const { return bytes_in_.load(std::memory_order_relaxed); }
  uint64_t messages_in() const { return messages_in_.load(std::memory_order_relaxed); }
  uint64_t bytes_out() const { return bytes_out_.load(std::memory_order_relaxed); }

  // ---- produce (leader) ----
  struct AppendOutcome {
    int16_t error_code = errc::kNone;
    std::string error_message;
    Offset base_offset{-1};
    Offset last_offset{-1};
    int64_t log_append_time_ms = -1;
    Offset log_start_offset{-1};
    bool duplicate = false;  // a retried idempotent batch: nothing appended
  };
  // Validates producer state and appends `batches` (modified in place).
  // `required_acks` -1 checks the ISR size against `min_insync_replicas`
  // first (NOT_ENOUGH_REPLICAS). With `expected_leader_epoch`, appends only
  // while the partition is led at that epoch (NOT_LEADER_OR_FOLLOWER
  // otherwise), atomically with the write: coordinators use it so a state
  // loaded at one epoch never writes in another.
  AppendOutcome AppendAsLeader(std::span<char> batches, int16_t required_acks,
                               int32_t min_insync_replicas,
                               const storage::LeaderAppendOptions& options = {},
                               std::optional<LeaderEpoch> expected_leader_epoch = std::nullopt);

  // Whether an acks=all append ending at `end` (exclusive) is acknowledged:
  // nullopt while pending; an error code (kNone for success) when done.
  // NOT_LEADER_OR_FOLLOWER once this broker stopped leading after
  // `appended_in` (a leader epoch bump that keeps this broker leader does not
  // fail the append: its records are still where they were written).
  std::optional<int16_t> AcksAllOutcome(Offset end, LeaderEpoch appended_in,
                                        int32_t min_insync_replicas) const;

  // ---- reads ----
  struct ReadOutcome {
    int16_t error_code = errc::kNone;
    storage::FileRegion region;
    Offset high_watermark{-1};
    Offset last_stable_offset{-1};
    Offset log_start_offset{-1};
    Offset log_end_offset{-1};
  };
  // A consumer read (leader only): up to the HW (or the LSO for
  // read_committed). `current_leader_epoch` -1 skips the epoch check.
  ReadOutcome ReadForConsumer(Offset offset, uint64_t max_bytes, bool min_one,
                              bool read_committed, LeaderEpoch current_leader_epoch) const;
  // ---- replication (leader side) ----
  // A fetch from follower `replica_id` at `fetch_offset` (its log end, durable
  // when sync_before_ack). `last_fetched_epoch` is the epoch of the
  // follower's last batch (-1: none): when the leader's log does not contain
  // that epoch up to `fetch_offset`, the answer is `diverging` (the follower
  // must truncate first) and the follower's position is not counted.
  struct FollowerFetch {
    BrokerId replica_id{-1};
    Offset fetch_offset{0};
    LeaderEpoch last_fetched_epoch{-1};
    LeaderEpoch current_leader_epoch{-1};
    int64_t broker_epoch = -1;
    uint64_t max_bytes = 1 << 20;
    bool min_one = true;
    // Record the follower's position (first pass of a request); false when
    // re-reading after a long-poll wake-up.
    bool update_state = true;
  };
  struct FollowerReadOutcome {
    int16_t error_code = errc::kNone;
    std::optional<storage::EpochEndOffset> diverging;
    storage::FileRegion region;
    Offset high_watermark{-1};
    Offset log_start_offset{-1};
    Offset log_end_offset{-1};
    bool high_watermark_advanced = false;
    // The follower is outside the ISR and has caught up: propose an expand.
    bool may_join_isr = false;
  };
  FollowerReadOutcome ReadForFollower(const FollowerFetch& fetch);
  // For a parked follower fetch: true when answering now would tell the
  // follower something new (data past `fetch_offset`, a HW past
  // `high_watermark_sent`, or a leadership change since `leader_epoch`).
  bool HasNewsForFollower(Offset fetch_offset, Offset high_watermark_sent,
                          LeaderEpoch leader_epoch) const;

  // OffsetForLeaderEpoch as the leader answers it to a follower.
  struct EpochEndOutcome {
    int16_t error_code = errc::kNone;
    storage::EpochEndOffset end;
  };
  EpochEndOutcome EndOffsetForEpoch(LeaderEpoch current_leader_epoch,
                                    LeaderEpoch requested) const;

  // Records that `replica_id` holds everything below `fetch_offset`.
  // Returns true when the HW moved.
  bool UpdateFollower(BrokerId replica_id, Offset fetch_offset, int64_t broker_epoch = -1);
  // Recomputes the HW (after the leader's own durable end moved). Returns
  // true when it moved.
  bool MaybeAdvanceHighWatermark();

  // An ISR the leader wants the controller to commit, when it differs from
  // the current one: followers lagging longer than replica.lag.time.max.ms
  // out, caught-up followers (at or past the HW, within this leader epoch)
  // in. nullopt when nothing should change or a change is already in flight.
  struct IsrChange {
    std::vector<BrokerId> new_isr;
    LeaderEpoch leader_epoch;
    PartitionEpoch partition_epoch;
  };
  std::optional<IsrChange> ProposeIsrChange();
  // The controller's answer to the proposal: the committed state, or an error.
  void OnIsrChangeResult(int16_t error_code, const std::optional<PartitionRegistration>& result);

  // ---- replication (follower side) ----
  // Each call names the leader epoch the caller fetched under; when the
  // partition has moved on (another epoch, or not a follower any more) it
  // fails with FailedPrecondition and changes nothing, so a fetcher that
  // lost the partition can never write into it.
  //
  // Appends batches fetched from the leader; then takes min(leader HW, LEO)
  // as the HW.
  absl::StatusOr<storage::AppendResult> AppendAsFollower(std::span<char> batches,
                                                         Offset leader_high_watermark,
                                                         LeaderEpoch fetched_in);
  absl::Status UpdateHighWatermarkFromLeader(Offset leader_high_watermark, LeaderEpoch fetched_in);
  // Cuts the log at `offset` (records at or above it go), with the producer
  // state and the HW. A no-op at or above the log end.
  absl::Status TruncateTo(Offset offset, LeaderEpoch fetched_in);
  // Drops the whole log and restarts it at `offset` (the leader's log start
  // is above our end).
  absl::Status TruncateFullyAndStartAt(Offset offset, LeaderEpoch fetched_in);
  // Where a follower fetches from and what it says about its log.
  struct FollowerPosition {
    Offset log_end_offset;
    Offset log_start_offset;
    Offset high_watermark;
    LeaderEpoch last_fetched_epoch{-1};
  };
  FollowerPosition follower_position() const;

  // Producer state (rebuilt from the log on start-up / truncation).
  absl::Status RebuildProducerState();

 private:
  struct FollowerState {
    int64_t fetch_offset = -1;          // everything below it is replicated
    int64_t last_caught_up_ms = 0;      // last time it had everything the leader had
    int64_t last_fetch_leader_leo = -1; // leader LEO at its previous fetch
    int64_t last_fetch_ms = 0;
    int64_t broker_epoch = -1;          // of the follower process last seen
  };

  bool ApplyRegistrationLocked(const PartitionRegistration& reg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int16_t CheckEpochLocked(LeaderEpoch current_leader_epoch) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::Status CheckFollowerEpochLocked(LeaderEpoch fetched_in) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool UpdateFollowerLocked(BrokerId replica_id, Offset fetch_offset, int64_t broker_epoch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetFollowerHighWatermarkLocked(Offset leader_high_watermark)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RebuildProducerStateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t LeaderReplicatedEnd() const;
  bool AdvanceHighWatermarkLocked() ABSL_SHARED_LOCKS_REQUIRED(mu_);
  std::vector<BrokerId> MaximalIsrLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const std::string topic_;
  const Uuid topic_id_;
  const int32_t index_;
  const std::shared_ptr<storage::Log> log_;
  Clock* const clock_;
  const PartitionOptions options_;

  mutable absl::Mutex mu_;
  enum class Role { kNone, kLeader, kFollower };
  Role role_ ABSL_GUARDED_BY(mu_) = Role::kNone;
  PartitionRegistration reg_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<BrokerId, FollowerState> followers_ ABSL_GUARDED_BY(mu_);
  std::optional<std::vector<BrokerId>> pending_isr_ ABSL_GUARDED_BY(mu_);
  // As leader: the first offset of the current leader epoch.
  int64_t leader_epoch_start_offset_ ABSL_GUARDED_BY(mu_) = 0;
  // As leader: the leader epoch this broker's uninterrupted leadership
  // started in. Epoch bumps that keep the leader (a reassignment removing a
  // replica, an ISR-only election) do not change it: the log was not
  // truncated since, so an append from any epoch since then still holds its
  // offsets.
  LeaderEpoch leader_since_epoch_ ABSL_GUARDED_BY(mu_){-1};
  ProducerStateManager producers_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> hw_{0};
  std::atomic<uint64_t> bytes_in_{0};
  std::atomic<uint64_t> messages_in_{0};
  std::atomic<uint64_t> bytes_out_{0};
};

// Maps a storage Status to a Kafka error code (KAFKA_STORAGE_ERROR for I/O).
int16_t StorageErrorCode(const absl::Status& s);

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_REPLICA_PARTITION_H_
