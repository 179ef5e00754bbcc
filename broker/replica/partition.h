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

namespace gregor::broker {

using metadata::PartitionRegistration;

// Kafka error codes the partition returns (per-partition errors are data).
namespace errc {
inline constexpr int16_t kNone = 0;
inline constexpr int16_t kOffsetOutOfRange = 1;
inline constexpr int16_t kCorruptMessage = 2;
inline constexpr int16_t kUnknownTopicOrPartition = 3;
inline constexpr int16_t kNotLeaderOrFollower = 6;
inline constexpr int16_t kRequestTimedOut = 7;
inline constexpr int16_t kMessageTooLarge = 10;
inline constexpr int16_t kRecordListTooLarge = 18;
inline constexpr int16_t kNotEnoughReplicas = 19;
inline constexpr int16_t kNotEnoughReplicasAfterAppend = 20;
inline constexpr int16_t kInvalidRequiredAcks = 21;
inline constexpr int16_t kOutOfOrderSequenceNumber = 45;
inline constexpr int16_t kInvalidProducerEpoch = 47;
inline constexpr int16_t kKafkaStorageError = 56;
inline constexpr int16_t kFencedLeaderEpoch = 74;
inline constexpr int16_t kUnknownLeaderEpoch = 75;
inline constexpr int16_t kInvalidRecord = 87;
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
  // first (NOT_ENOUGH_REPLICAS).
  AppendOutcome AppendAsLeader(std::span<char> batches, int16_t required_acks,
                               int32_t min_insync_replicas,
                               storage::AppendOrigin origin = storage::AppendOrigin::kClient);

  // Whether an acks=all append ending at `end` (exclusive) is acknowledged:
  // nullopt while pending; an error code (kNone for success) when done.
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
  // A follower read (leader only): up to the log end; also records the
  // follower's position (see UpdateFollower).
  ReadOutcome ReadForFollower(BrokerId replica_id, Offset offset, uint64_t max_bytes,
                              LeaderEpoch current_leader_epoch);

  // ---- replication state (leader) ----
  // Records that `replica_id` holds everything below `fetch_offset`.
  // Returns true when the HW moved.
  bool UpdateFollower(BrokerId replica_id, Offset fetch_offset);
  // Recomputes the HW (after the leader's own durable end moved). Returns
  // true when it moved.
  bool MaybeAdvanceHighWatermark();

  // An ISR the leader wants the controller to commit, when it differs from
  // the current one: followers lagging longer than replica.lag.time.max.ms
  // out, caught-up followers (at or past the HW) in. nullopt when nothing
  // should change or a change is already in flight.
  struct IsrChange {
    std::vector<BrokerId> new_isr;
    LeaderEpoch leader_epoch;
    PartitionEpoch partition_epoch;
  };
  std::optional<IsrChange> ProposeIsrChange();
  // The controller's answer to the proposal: the committed state, or an error.
  void OnIsrChangeResult(int16_t error_code, const std::optional<PartitionRegistration>& result);

  // ---- followers ----
  // Appends batches fetched from the leader; then takes min(leader HW, LEO).
  absl::StatusOr<storage::AppendResult> AppendAsFollower(std::span<char> batches,
                                                         Offset leader_high_watermark);
  void UpdateHighWatermarkFromLeader(Offset leader_high_watermark);

  // Producer state (rebuilt from the log on start-up / leadership change).
  absl::Status RebuildProducerState();

  // The producers this partition holds state for (DescribeProducers).
  struct ProducerSnapshot {
    int64_t producer_id = -1;
    int16_t epoch = -1;
    int32_t last_sequence = -1;   // of the last batch kept; -1: none
    int64_t last_timestamp = -1;
    int64_t txn_start_offset = -1;  // first offset of the open transaction; -1: none
  };
  std::vector<ProducerSnapshot> ActiveProducers() const;

 private:
  struct FollowerState {
    int64_t fetch_offset = -1;          // everything below it is replicated
    int64_t last_caught_up_ms = 0;      // last time it had everything the leader had
    int64_t last_fetch_leader_leo = -1; // leader LEO at its previous fetch
    int64_t last_fetch_ms = 0;
  };

  bool ApplyRegistrationLocked(const PartitionRegistration& reg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int16_t CheckEpochLocked(LeaderEpoch current_leader_epoch) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
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
  ProducerStateManager producers_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> hw_{0};
};

// Maps a storage Status to a Kafka error code (KAFKA_STORAGE_ERROR for I/O).
int16_t StorageErrorCode(const absl::Status& s);

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_REPLICA_PARTITION_H_
